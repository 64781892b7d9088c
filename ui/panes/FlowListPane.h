#pragma once
// The flow table with its filter bar (text, "with findings", finding kind).

#include <QWidget>

class QTableView;
class QLineEdit;
class QCheckBox;
class QComboBox;

namespace flowladder::ui {

class CurrentSelection;
class FlowTableModel;
class FlowFilterProxy;

class FlowListPane : public QWidget {
    Q_OBJECT
public:
    explicit FlowListPane(CurrentSelection* selection, QWidget* parent = nullptr);

    FlowTableModel* model() const { return model_; }
    FlowFilterProxy* proxy() const { return proxy_; }
    QTableView* view() const { return view_; }
    QLineEdit* filterEdit() const { return filter_; }

private:
    void onAnalysisChanged();
    void onFlowChanged(uint32_t flowId);

    CurrentSelection* selection_;
    FlowTableModel* model_;
    FlowFilterProxy* proxy_;
    QTableView* view_;
    QLineEdit* filter_;
    QCheckBox* withFindings_;
    QComboBox* kind_;
    bool restructuring_ = false;
};

} // namespace flowladder::ui
