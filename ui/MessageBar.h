#pragma once
// A bar above the ladder for what the user must not miss but need not dismiss at once: a
// capture that could not be opened (the previous one stays on screen), notes that could not
// be saved, an export that failed. MainWindow owns it; features post to it through
// MainWindow::showMessage instead of opening modal boxes or touching the window's layout.

#include <QFrame>
#include <QString>
#include <functional>

class QLabel;
class QToolButton;

namespace flowladder::ui {

class MessageBar : public QFrame {
    Q_OBJECT
public:
    enum class Kind { Warning, Error };

    explicit MessageBar(QWidget* parent = nullptr);

    // Shows `text` (rich text allowed); with `actionText`, a button that runs `action`.
    // An empty text hides the bar.
    void showMessage(const QString& text, Kind kind, const QString& actionText = {}, std::function<void()> action = {});
    void clearMessage();
    // The text shown, "" when hidden.
    QString text() const;

private:
    QLabel* text_;
    QToolButton* action_;
    std::function<void()> onAction_;
};

} // namespace flowladder::ui
