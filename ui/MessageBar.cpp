#include "ui/MessageBar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace flowladder::ui {

MessageBar::MessageBar(QWidget* parent) : QFrame(parent), text_(new QLabel(this)), action_(new QToolButton(this))
{
    setObjectName(QStringLiteral("messageBar"));
    setFrameShape(QFrame::StyledPanel);
    auto* h = new QHBoxLayout(this);
    h->setContentsMargins(10, 6, 6, 6);
    text_->setWordWrap(true);
    text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(action_, &QToolButton::clicked, this, [this] {
        if (onAction_) onAction_();
    });
    auto* close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setToolTip(tr("Hide this message"));
    connect(close, &QToolButton::clicked, this, &MessageBar::clearMessage);
    h->addWidget(text_, 1);
    h->addWidget(action_);
    h->addWidget(close);
    hide();
}

void MessageBar::showMessage(const QString& text, Kind kind, const QString& actionText, std::function<void()> action)
{
    if (text.isEmpty()) {
        clearMessage();
        return;
    }
    setStyleSheet(
        kind == Kind::Error
            ? QStringLiteral("#messageBar { background: #fde2e1; color: #5c1111; border: 1px solid #e5a3a0; }")
            : QStringLiteral("#messageBar { background: #fff4cc; color: #4a3b00; border: 1px solid #e6cf7a; }"));
    text_->setText(text);
    onAction_ = std::move(action);
    action_->setText(actionText);
    action_->setVisible(!actionText.isEmpty() && onAction_);
    show();
}

void MessageBar::clearMessage()
{
    text_->clear();
    onAction_ = {};
    hide();
}

QString MessageBar::text() const
{
    return isHidden() ? QString() : text_->text();
}

} // namespace flowladder::ui
