#include "ui/panes/FindingsPane.h"

#include "ui/models/CurrentSelection.h"
#include "ui/models/FindingsModel.h"

#include <QCheckBox>
#include <QHeaderView>
#include <QTableView>
#include <QVBoxLayout>

namespace flowladder::ui {

FindingsPane::FindingsPane(CurrentSelection* selection, QWidget* parent)
    : QWidget(parent), selection_(selection), model_(new FindingsModel(this)), view_(new QTableView(this)),
      allFlows_(new QCheckBox(tr("Show findings of all flows"), this))
{
    setObjectName(QStringLiteral("findingsPane"));
    view_->setModel(model_);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->verticalHeader()->hide();
    view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 6);
    view_->horizontalHeader()->setStretchLastSection(true);
    view_->setWordWrap(false);
    view_->setColumnHidden(FindingsModel::Severity, true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(view_, 1);
    layout->addWidget(allFlows_);

    auto choose = [this](const QModelIndex& idx) {
        if (!idx.isValid() || syncing_) return;
        selection_->selectFinding(idx.data(FindingsModel::FindingIndexRole).toUInt());
    };
    connect(view_, &QTableView::clicked, this, choose);
    connect(view_, &QTableView::activated, this, choose);
    connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, choose);
    connect(allFlows_, &QCheckBox::toggled, this, &FindingsPane::updateFilter);
    connect(selection_, &CurrentSelection::analysisChanged, this, [this] {
        model_->setAnalysis(selection_->analysis());
        updateFilter();
    });
    connect(selection_, &CurrentSelection::flowChanged, this, &FindingsPane::updateFilter);
    connect(selection_, &CurrentSelection::rowChanged, this, &FindingsPane::highlightCurrent);
}

void FindingsPane::updateFilter()
{
    syncing_ = true;
    model_->setFlowFilter(allFlows_->isChecked() ? 0 : selection_->flowId());
    view_->resizeColumnToContents(FindingsModel::Kind);
    view_->resizeColumnToContents(FindingsModel::Frame);
    syncing_ = false;
    highlightCurrent();
}

void FindingsPane::highlightCurrent()
{
    const uint32_t frame = selection_->frame();
    syncing_ = true;
    int match = -1;
    for (int r = 0; r < model_->rowCount() && frame; ++r) {
        const QModelIndex idx = model_->index(r, 0);
        if (idx.data(FindingsModel::FrameRole).toUInt() == frame &&
            idx.data(FindingsModel::FlowIdRole).toUInt() == selection_->flowId()) {
            match = r;
            break;
        }
    }
    if (match >= 0) {
        view_->selectionModel()->setCurrentIndex(model_->index(match, FindingsModel::Kind),
                                                 QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        view_->scrollTo(model_->index(match, 0));
    } else {
        view_->clearSelection();
    }
    syncing_ = false;
}

} // namespace flowladder::ui
