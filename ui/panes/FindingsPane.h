#pragma once
// The findings of the selected flow (or of every flow), most severe first; choosing
// one selects its flow and packet.

#include <QWidget>

class QTableView;
class QCheckBox;

namespace flowladder::ui {

class CurrentSelection;
class FindingsModel;

class FindingsPane : public QWidget {
    Q_OBJECT
public:
    explicit FindingsPane(CurrentSelection* selection, QWidget* parent = nullptr);

    FindingsModel* model() const { return model_; }
    QTableView* view() const { return view_; }

private:
    void updateFilter();
    void highlightCurrent();

    CurrentSelection* selection_;
    FindingsModel* model_;
    QTableView* view_;
    QCheckBox* allFlows_;
    bool syncing_ = false;
};

} // namespace flowladder::ui
