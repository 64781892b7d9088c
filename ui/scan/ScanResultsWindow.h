#pragma once
// "Findings across captures": the findings of a scan database (flowladder-cli scan --db) in one
// sortable, filterable table, errors first; a double-click (or Enter) asks the main window to
// open that capture at that flow and frame. Files that could not be read are on a second tab.

#include <QMainWindow>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;

namespace flowladder::ui {

// Whether `path` is an SQLite database (a scan's, or not: reading it says).
bool isScanDatabaseFile(const QString& path);

class ScanResultsWindow : public QMainWindow {
    Q_OBJECT
public:
    // Reads the database at `path`; nullptr and `error` (naming the file) when it is not one.
    static ScanResultsWindow* open(const QString& path, QWidget* parent, QString& error);

    QTableView* findingsTable() const { return findings_; }
    QLineEdit* filterEdit() const { return filter_; }
    // Asks for the finding at this row of the (sorted, filtered) table.
    void openRow(int row);

signals:
    void openRequested(const QString& capture, uint32_t flow, uint32_t frame);

private:
    explicit ScanResultsWindow(QWidget* parent);

    QLabel* summary_;
    QLineEdit* filter_;
    QStandardItemModel* model_;
    QSortFilterProxyModel* proxy_;
    QTableView* findings_;
    QTableView* files_;
    QStandardItemModel* filesModel_;
};

} // namespace flowladder::ui
