#include "ui/compare/CompareOpenDialog.h"

#include "ui/compare/CompareWindow.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace flowladder::ui {

CompareOpenDialog::CompareOpenDialog(QWidget* parent, const QString& suggestedA)
    : QDialog(parent), a_(new QLineEdit(suggestedA, this)), b_(new QLineEdit(this))
{
    setWindowTitle(tr("Compare two captures"));
    auto* grid = new QGridLayout(this);
    auto* intro = new QLabel(tr("Two captures of the same traffic taken at different points of the path, "
                                "for example on the client and on the server. A packet only one of them saw "
                                "was lost, or created, in between."),
                             this);
    intro->setWordWrap(true);
    grid->addWidget(intro, 0, 0, 1, 3);
    int row = 1;
    for (const auto& [field, text] :
         {std::pair{a_, tr("Capture &A (e.g. client side):")}, std::pair{b_, tr("Capture &B (e.g. server side):")}}) {
        QLineEdit* edit =
            field; // a plain variable: lambdas cannot capture structured bindings before C++20 in clang 14
        auto* label = new QLabel(text, this);
        label->setBuddy(edit);
        edit->setMinimumWidth(420);
        edit->setPlaceholderText(tr("pcap or pcapng file"));
        auto* browse = new QPushButton(tr("Browse…"), this);
        connect(browse, &QPushButton::clicked, this, [this, edit] { this->browse(edit); });
        connect(edit, &QLineEdit::textChanged, this, &CompareOpenDialog::updateOk);
        grid->addWidget(label, row, 0);
        grid->addWidget(edit, row, 1);
        grid->addWidget(browse, row, 2);
        ++row;
    }
    auto* swap = new QPushButton(tr("&Swap A and B"), this);
    connect(swap, &QPushButton::clicked, this, [this] {
        const QString t = a_->text();
        a_->setText(b_->text());
        b_->setText(t);
    });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    ok_ = buttons->button(QDialogButtonBox::Ok);
    ok_->setText(tr("Compare"));
    buttons->addButton(swap, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    grid->addWidget(buttons, row, 0, 1, 3);
    updateOk();
}

QString CompareOpenDialog::pathA() const
{
    return a_->text().trimmed();
}
QString CompareOpenDialog::pathB() const
{
    return b_->text().trimmed();
}

void CompareOpenDialog::browse(QLineEdit* edit)
{
    const QString other = (edit == a_ ? b_ : a_)->text();
    const QString dir = edit->text().isEmpty() ? QFileInfo(other).absolutePath() : edit->text();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open capture"), dir, tr("Captures (*.pcap *.pcapng *.cap *.gz *.zst *.lz4 *.xz);;All files (*)"));
    if (!path.isEmpty()) edit->setText(path);
}

void CompareOpenDialog::updateOk()
{
    if (ok_) ok_->setEnabled(!pathA().isEmpty() && !pathB().isEmpty());
}

CompareWindow* CompareOpenDialog::open(QWidget* parent, const QString& pathA, const QString& pathB)
{
    auto* w = new CompareWindow(parent);
    w->setWindowFlag(Qt::Window, true);
    w->setAttribute(Qt::WA_DeleteOnClose, true);
    w->show();
    w->openFiles(pathA, pathB);
    return w;
}

CompareWindow* CompareOpenDialog::askAndOpen(QWidget* parent, const QString& suggestedA)
{
    CompareOpenDialog dialog(parent, suggestedA);
    if (dialog.exec() != QDialog::Accepted) return nullptr;
    return open(parent, dialog.pathA(), dialog.pathB());
}

} // namespace flowladder::ui
