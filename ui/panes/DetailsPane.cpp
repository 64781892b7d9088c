#include "ui/panes/DetailsPane.h"

#include "ui/models/CurrentSelection.h"
#include "ui/models/PacketDetailsModel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace flowladder::ui {

DetailsPane::DetailsPane(CurrentSelection* selection, QWidget* parent)
    : QWidget(parent), selection_(selection), model_(new PacketDetailsModel(this)), view_(new QTableView(this)),
      title_(new QLabel(this))
{
    setObjectName(QStringLiteral("detailsPane"));
    view_->setModel(model_);
    view_->verticalHeader()->hide();
    view_->verticalHeader()->setDefaultSectionSize(view_->fontMetrics().height() + 4);
    view_->horizontalHeader()->setStretchLastSection(true);
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
    view_->resizeColumnToContents(PacketDetailsModel::Field);
    view_->setColumnWidth(PacketDetailsModel::Value, std::max(160, view_->width() / 2));
}

} // namespace flowladder::ui
