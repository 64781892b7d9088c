#include "ui/panes/FlowListPane.h"

#include "ui/models/CurrentSelection.h"
#include "ui/models/FlowFilterProxy.h"
#include "ui/models/FlowTableModel.h"
#include "ui/models/Format.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

namespace flowladder::ui {

FlowListPane::FlowListPane(CurrentSelection* selection, QWidget* parent)
    : QWidget(parent), selection_(selection), model_(new FlowTableModel(this)), proxy_(new FlowFilterProxy(this)),
      view_(new QTableView(this)), filter_(new QLineEdit(this)),
      withFindings_(new QCheckBox(tr("With findings"), this)), kind_(new QComboBox(this))
{
    setObjectName(QStringLiteral("flowListPane"));
    proxy_->setSourceModel(model_);
    // Connected before the view's selection model is, so the guard is up before it moves the current row.
    auto begin = [this] { restructuring_ = true; };
    auto end = [this] {
        restructuring_ = false;
        onFlowChanged(selection_->flowId());
    };
    connect(proxy_, &QAbstractItemModel::rowsAboutToBeRemoved, this, begin);
    connect(proxy_, &QAbstractItemModel::rowsRemoved, this, end);
    connect(proxy_, &QAbstractItemModel::rowsAboutToBeInserted, this, begin);
    connect(proxy_, &QAbstractItemModel::rowsInserted, this, end);
    connect(proxy_, &QAbstractItemModel::layoutAboutToBeChanged, this, begin);
    connect(proxy_, &QAbstractItemModel::layoutChanged, this, end);
    connect(proxy_, &QAbstractItemModel::modelAboutToBeReset, this, begin);
    connect(proxy_, &QAbstractItemModel::modelReset, this, end);
    view_->setModel(proxy_);
    view_->setSortingEnabled(true);
    view_->sortByColumn(FlowTableModel::Id, Qt::AscendingOrder);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->verticalHeader()->hide();
    view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 6);
    view_->horizontalHeader()->setStretchLastSection(true);
    view_->setAlternatingRowColors(true);
    view_->setWordWrap(false);

    filter_->setPlaceholderText(tr("Filter flows: address, port, state…"));
    filter_->setClearButtonEnabled(true);
    kind_->addItem(tr("Any finding kind"), -1);
    for (int k = 0; k < core::FindingKindCount; ++k)
        kind_->addItem(kindTitle(static_cast<core::FindingKind>(k)), k);
    // The longest kind must not set the pane's width: on a small screen the ladder needs it.
    kind_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    kind_->setMinimumContentsLength(12);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(withFindings_);
    bar->addWidget(kind_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(filter_);
    layout->addLayout(bar);
    layout->addWidget(view_, 1);

    connect(filter_, &QLineEdit::textChanged, proxy_, &FlowFilterProxy::setText);
    connect(withFindings_, &QCheckBox::toggled, proxy_, &FlowFilterProxy::setOnlyWithFindings);
    connect(kind_, &QComboBox::currentIndexChanged, this, [this] {
        const int k = kind_->currentData().toInt();
        proxy_->setKind(k < 0 ? std::nullopt : std::optional(static_cast<core::FindingKind>(k)));
    });
    connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& cur) {
        // Filtering or sorting moves the current row by itself: that is not the user choosing a flow.
        if (cur.isValid() && !restructuring_) selection_->setFlow(cur.data(FlowTableModel::FlowIdRole).toUInt());
    });
    connect(selection_, &CurrentSelection::analysisChanged, this, &FlowListPane::onAnalysisChanged);
    connect(selection_, &CurrentSelection::flowChanged, this, &FlowListPane::onFlowChanged);
}

void FlowListPane::onAnalysisChanged()
{
    model_->setAnalysis(selection_->analysis());
    view_->resizeColumnsToContents();
    for (int c = 0; c < model_->columnCount(); ++c)
        view_->setColumnWidth(c, std::min(view_->columnWidth(c), 220));
    // Sizing to contents measures the first thousand rows only (QHeaderView's precision): the ids
    // go on past them, and 50,000 flows' "40000" read "40…". The last id (unless filtered out),
    // the widest, sets the width, with the grid line.
    if (const int rows = model_->rowCount(); rows > 0) {
        const QModelIndex last = proxy_->mapFromSource(model_->index(rows - 1, FlowTableModel::Id));
        const int idWidth = last.isValid() ? view_->sizeHintForIndex(last).width() + 1 : 0;
        view_->setColumnWidth(FlowTableModel::Id, std::max(view_->columnWidth(FlowTableModel::Id), idWidth));
    }
}

void FlowListPane::onFlowChanged(uint32_t flowId)
{
    const int srcRow = model_->rowOfFlow(flowId);
    const QModelIndex idx = srcRow < 0 ? QModelIndex() : proxy_->mapFromSource(model_->index(srcRow, 0));
    if (idx == view_->selectionModel()->currentIndex().siblingAtColumn(0)) return;
    if (!idx.isValid()) {
        const bool was = restructuring_;
        restructuring_ = true;
        view_->selectionModel()->clearCurrentIndex();
        restructuring_ = was;
        view_->clearSelection();
        return;
    }
    view_->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    view_->scrollTo(idx);
}

} // namespace flowladder::ui
