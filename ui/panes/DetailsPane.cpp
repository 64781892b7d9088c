#include "ui/panes/DetailsPane.h"

#include "ui/models/CurrentSelection.h"
#include "ui/models/PacketDetailsModel.h"

#include <QHeaderView>
#include <QLabel>
#include <QResizeEvent>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

namespace flowladder::ui {

DetailsPane::DetailsPane(CurrentSelection* selection, QWidget* parent)
    : QWidget(parent), selection_(selection), model_(new PacketDetailsModel(this)), view_(new QTableView(this)),
      title_(new QLabel(this))
{
    setObjectName(QStringLiteral("detailsPane"));
    view_->setModel(model_);
    view_->verticalHeader()->hide();
    view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 4);
    // Value takes what is left; Expected (filled where the packet differs from what the receiver
    // expected) fits its text and shows only when a line has one, so it is never off-screen.
    view_->horizontalHeader()->setStretchLastSection(false);
    view_->horizontalHeader()->setSectionResizeMode(PacketDetailsModel::Field, QHeaderView::Interactive);
    view_->horizontalHeader()->setSectionResizeMode(PacketDetailsModel::Value, QHeaderView::Stretch);
    view_->horizontalHeader()->setSectionResizeMode(PacketDetailsModel::Expected, QHeaderView::Interactive);
    view_->setSelectionBehavior(QAbstractItemView::SelectRows);
    view_->setWordWrap(false);
    view_->setShowGrid(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(title_);
    layout->addWidget(view_, 1);
    connect(selection_, &CurrentSelection::rowChanged, this, &DetailsPane::refresh);
    connect(selection_, &CurrentSelection::flowChanged, this, &DetailsPane::refresh);
    refresh();
}

void DetailsPane::refresh()
{
    model_->setPacket(selection_->analysis(), selection_->flowId(), selection_->row());
    const uint32_t frame = selection_->frame();
    title_->setText(frame ? tr("<b>Frame #%1</b> of flow %2").arg(frame).arg(selection_->flowId())
                          : tr("Click a packet on the ladder to see its fields."));
    fitColumns();
}

void DetailsPane::fitColumns()
{
    bool anyExpected = false;
    for (int r = 0; r < model_->rowCount() && !anyExpected; ++r)
        anyExpected = !model_->index(r, PacketDetailsModel::Expected).data().toString().isEmpty();
    view_->setColumnHidden(PacketDetailsModel::Expected, !anyExpected);
    // Field names and expected values as wide as they are, but never more than 40 % and 30 % of
    // the pane: the values keep the rest (long texts elide; the tooltip has them whole).
    const int w = view_->viewport()->width();
    view_->resizeColumnToContents(PacketDetailsModel::Field);
    view_->setColumnWidth(PacketDetailsModel::Field,
                          std::min(view_->columnWidth(PacketDetailsModel::Field), std::max(90, w * 2 / 5)));
    if (anyExpected) {
        view_->resizeColumnToContents(PacketDetailsModel::Expected);
        view_->setColumnWidth(PacketDetailsModel::Expected,
                              std::min(view_->columnWidth(PacketDetailsModel::Expected), std::max(70, w * 3 / 10)));
    }
}

void DetailsPane::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitColumns();
}

} // namespace flowladder::ui
