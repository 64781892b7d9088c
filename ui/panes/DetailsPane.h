#pragma once
// Every header field of the selected packet, expected values next to actual ones.

#include <QWidget>

class QTableView;
class QLabel;

namespace flowladder::ui {

class CurrentSelection;
class PacketDetailsModel;

class DetailsPane : public QWidget {
    Q_OBJECT
public:
    explicit DetailsPane(CurrentSelection* selection, QWidget* parent = nullptr);
    PacketDetailsModel* model() const { return model_; }

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void refresh();
    void fitColumns();

    CurrentSelection* selection_;
    PacketDetailsModel* model_;
    QTableView* view_;
    QLabel* title_;
};

} // namespace flowladder::ui
