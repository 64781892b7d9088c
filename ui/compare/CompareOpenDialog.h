#pragma once
// File > Compare…: picks the two captures of the same traffic (A nearer the client,
// B nearer the server, by convention) and opens a CompareWindow on them.

#include <QDialog>

class QLineEdit;

namespace flowladder::ui {

class CompareWindow;

class CompareOpenDialog : public QDialog {
    Q_OBJECT
public:
    explicit CompareOpenDialog(QWidget* parent = nullptr, const QString& suggestedA = {});
    QString pathA() const;
    QString pathB() const;

    // Asks for the two files and opens a comparison window on them (nullptr when cancelled).
    static CompareWindow* askAndOpen(QWidget* parent, const QString& suggestedA = {});
    // Opens a comparison window on two files, deleted when closed.
    static CompareWindow* open(QWidget* parent, const QString& pathA, const QString& pathB);

private:
    void browse(QLineEdit* edit);
    void updateOk();

    QLineEdit* a_;
    QLineEdit* b_;
    class QPushButton* ok_ = nullptr;
};

} // namespace flowladder::ui
