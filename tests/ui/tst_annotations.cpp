// Annotations through the GUI layer: sidecar round trip (debounced autosave, reopen),
// save on close, a damaged or wrong-typed sidecar reported, kept byte for byte and not
// overwritten, undo/redo of add, edit, move and delete, a read-only folder (notes in the
// per-user folder, the message bar says where), two documents on one capture (merged), and a
// close that cannot save asking what to do.
#include "core/tcp/Analyzer.h"
#include "tests/support/ReadOnlyFolder.h"
#include "ui/MainWindow.h"
#include "ui/annotate/AnnotationController.h"
#include "ui/annotate/AnnotationDocument.h"
#include "ui/annotate/AnnotationPainter.h"
#include "ui/export/ExportController.h"
#include "ui/ladder/LadderPlottable.h"
#include "ui/ladder/LadderView.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace flowladder;
using namespace flowladder::ui;

namespace {
QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

class TestAnnotations : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString capture_;
    core::AnalysisPtr analysis_;

    // A window showing the sample incident copied into the temporary folder.
    std::unique_ptr<MainWindow> openWindow()
    {
        auto w = std::make_unique<MainWindow>();
        w->resize(1300, 850);
        w->showAnalysis(analysis_, capture_);
        return w;
    }
    std::unique_ptr<MainWindow> openWindowOn(const QString& capture, const core::AnalysisPtr& analysis)
    {
        auto w = std::make_unique<MainWindow>();
        w->resize(1300, 850);
        w->showAnalysis(analysis, capture);
        return w;
    }
    // The sample incident in a folder of its own, made read-only (0555).
    QString readOnlyCapture(core::AnalysisPtr& analysis)
    {
        const QString folder = dir_.filePath(QStringLiteral("readonly-%1").arg(QTest::currentTestFunction()));
        QDir().mkpath(folder);
        const QString capture = folder + QStringLiteral("/incident.pcap");
        QFile::copy(QStringLiteral(FLOWLADDER_SAMPLE_DIR "/incident.pcap"), capture);
        std::string error;
        analysis = core::analyzeFile(capture.toStdString(), error);
        QFile::setPermissions(folder, QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup |
                                          QFile::ReadOther | QFile::ExeOther);
        return capture;
    }
    static void makeWritable(const QString& capture)
    {
        QFile::setPermissions(QFileInfo(capture).absolutePath(),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup |
                                  QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther);
    }
    static AnnotationController* controller(MainWindow& w) { return w.findChild<AnnotationController*>(); }
    int64_t rowOf(MainWindow& w, uint32_t frame) { return w.ladder()->content()->rowOfFrame(frame); }

private slots:
    void init()
    {
        QVERIFY(dir_.isValid());
        capture_ = dir_.filePath(QStringLiteral("incident-%1.pcap").arg(QTest::currentTestFunction()));
        QFile::remove(capture_);
        QVERIFY(QFile::copy(QStringLiteral(FLOWLADDER_SAMPLE_DIR "/incident.pcap"), capture_));
        std::string error;
        analysis_ = core::analyzeFile(capture_.toStdString(), error);
        QVERIFY2(analysis_, error.c_str());
    }

    void sidecarRoundTrip()
    {
        const QString sidecar = capture_ + QStringLiteral(".flowladder.json");
        {
            auto w = openWindow();
            auto* c = controller(*w);
            QVERIFY(c);
            QCOMPARE(c->document()->savePath(), sidecar);
            QVERIFY(c->statusText().contains(QStringLiteral(".flowladder.json")));
            QVERIFY(c->addNote(rowOf(*w, 22), QStringLiteral("ASA forged this RST")));
            QVERIFY(
                c->addCallout(rowOf(*w, 22), 0.4, QStringLiteral("ASA drops state after its own RST — see INC-2291")));
            QVERIFY(c->addTimeRange(rowOf(*w, 23), rowOf(*w, 30), QStringLiteral("retransmitting into the void")));
            QVERIFY(c->document()->hasPendingSave());
            QVERIFY(!QFile::exists(sidecar)); // debounced
            QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(sidecar), 20000);
            QVERIFY(!c->document()->hasPendingSave());
            QVERIFY(c->messageText().isEmpty());
        }
        auto w = openWindow();
        auto* doc = controller(*w)->document();
        QCOMPARE(doc->items().size(), size_t{3});
        QCOMPARE(doc->items()[0].kind, core::AnnotationKind::Note);
        QCOMPARE(doc->items()[0].frame, 22u);
        QCOMPARE(QString::fromStdString(doc->items()[1].text),
                 QStringLiteral("ASA drops state after its own RST — see INC-2291"));
        QCOMPARE(doc->items()[2].kind, core::AnnotationKind::TimeRange);
        QVERIFY(doc->items()[2].startNs < doc->items()[2].endNs);
        QVERIFY(controller(*w)->statusText().contains(QStringLiteral("3 note")));
    }

    void closeWithoutNotesLeavesTheFolderUntouched()
    {
        // Evidence folders stay as they were until the user writes a note.
        const QString sidecar = capture_ + QStringLiteral(".flowladder.json");
        {
            auto w = openWindow();
            w->close();
        }
        QVERIFY(!QFile::exists(sidecar));
        const QStringList beside =
            QDir(dir_.path())
                .entryList({QFileInfo(capture_).fileName() + QStringLiteral("*")}, QDir::Files | QDir::Hidden);
        QCOMPARE(beside, QStringList{QFileInfo(capture_).fileName()}); // no sidecar, no temp file
    }

    void windowPlacesTheFeaturesActions()
    {
        // MainWindow owns the menus: File holds export, Edit starts with undo/redo, Annotate
        // comes between Edit and View.
        auto w = openWindow();
        QStringList menus;
        QMenu* file = nullptr;
        QMenu* edit = nullptr;
        for (QAction* a : w->menuBar()->actions()) {
            if (!a->menu()) continue;
            menus << a->menu()->objectName();
            if (a->menu()->title() == QStringLiteral("&File")) file = a->menu();
            if (a->menu()->title() == QStringLiteral("&Edit")) edit = a->menu();
        }
        QVERIFY(menus.contains(QStringLiteral("annotateMenu")));
        QVERIFY(file && edit);
        for (QAction* a : w->exports()->fileActions())
            QVERIFY(file->actions().contains(a));
        QCOMPARE(edit->actions().value(0), controller(*w)->undoAction());
        QCOMPARE(edit->actions().value(1), controller(*w)->redoAction());
        QCOMPARE(w->annotations(), controller(*w));
    }

    void savedOnClose()
    {
        const QString sidecar = capture_ + QStringLiteral(".flowladder.json");
        auto w = openWindow();
        auto* c = controller(*w);
        c->document()->setSaveDelay(60'000); // only the close can save it in time
        QVERIFY(c->addNote(rowOf(*w, 19), QStringLiteral("server got the FIN here")));
        QVERIFY(!QFile::exists(sidecar));
        w->close();
        QVERIFY(QFile::exists(sidecar));
        QVERIFY(readAll(sidecar).contains("server got the FIN here"));
    }

    void damagedSidecarKept()
    {
        const QString sidecar = capture_ + QStringLiteral(".flowladder.json");
        const QByteArray damaged =
            "{ \"format\": \"flowladder-annotations\", \"version\": 1, \"annotations\": [ { trunc";
        {
            QFile f(sidecar);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(damaged);
        }
        auto w = openWindow();
        auto* c = controller(*w);
        // Reported, naming the file and where new notes go.
        QVERIFY2(c->messageText().contains(sidecar), qPrintable(c->messageText()));
        const QString alt = capture_ + QStringLiteral(".flowladder-2.json");
        QCOMPARE(c->document()->savePath(), alt);
        QVERIFY(c->messageText().contains(alt));
        QVERIFY(c->statusText().contains(QStringLiteral(".flowladder-2.json")));
        QVERIFY(c->addNote(rowOf(*w, 22), QStringLiteral("new note")));
        QVERIFY(c->document()->saveNow());
        QCOMPARE(readAll(sidecar), damaged); // kept byte for byte
        QVERIFY(readAll(alt).contains("new note"));
        // Reopening finds the notes in the numbered sidecar, the damaged one still untouched.
        w.reset();
        auto w2 = openWindow();
        QCOMPARE(controller(*w2)->document()->items().size(), size_t{1});
        QCOMPARE(readAll(sidecar), damaged);
    }

    void wrongTypedSidecarKept()
    {
        // Issue 13: a wrong-typed field used to abort the program (a JSON type error).
        const QString sidecar = capture_ + QStringLiteral(".flowladder.json");
        const QByteArray bad = R"({"format": "flowladder-annotations", "version": "1", "annotations": []})";
        {
            QFile f(sidecar);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bad);
        }
        auto w = openWindow();
        auto* c = controller(*w);
        QVERIFY2(c->messageText().contains(sidecar), qPrintable(c->messageText()));
        QVERIFY2(c->messageText().contains(QStringLiteral("&quot;version&quot;")), qPrintable(c->messageText()));
        const QString alt = capture_ + QStringLiteral(".flowladder-2.json");
        QCOMPARE(c->document()->savePath(), alt);
        QVERIFY(c->addNote(rowOf(*w, 22), QStringLiteral("new note")));
        QVERIFY(c->document()->saveNow());
        QCOMPARE(readAll(sidecar), bad);
        QVERIFY(readAll(alt).contains("new note"));
    }

    void readOnlyFolderSavesToTheUserFolder()
    {
        // Root ignores permission bits: WithoutDacOverride drops the capabilities that bypass them.
        core::AnalysisPtr analysis;
        const QString capture = readOnlyCapture(analysis);
        QVERIFY(analysis);
        const QString dataHome = QFile::decodeName(qgetenv("XDG_DATA_HOME"));
        QVERIFY(!dataHome.isEmpty());
        {
            testsupport::WithoutDacOverride unprivileged;
            if (!testsupport::cannotCreateIn(QFileInfo(capture).absolutePath().toStdString())) {
                makeWritable(capture);
                QSKIP("cannot make a folder read-only for this process");
            }
            QString fallback;
            {
                auto w = openWindowOn(capture, analysis);
                auto* c = controller(*w);
                QVERIFY(c->addNote(rowOf(*w, 22), QStringLiteral("made in a read-only folder")));
                QVERIFY2(c->document()->saveNow(), qPrintable(c->document()->lastSaveError()));
                fallback = c->document()->savePath();
                QVERIFY2(fallback.startsWith(dataHome + QStringLiteral("/flowladder/notes/")), qPrintable(fallback));
                // The message bar says why and where.
                QVERIFY2(c->messageText().contains(fallback), qPrintable(c->messageText()));
                QVERIFY(c->messageText().contains(capture + QStringLiteral(".flowladder.json")));
                QVERIFY(!QFile::exists(capture + QStringLiteral(".flowladder.json")));
            }
            auto w = openWindowOn(capture, analysis);
            auto* c = controller(*w);
            QCOMPARE(c->document()->items().size(), size_t{1});
            QCOMPARE(c->document()->savePath(), fallback);
            QVERIFY2(c->messageText().contains(fallback), qPrintable(c->messageText()));
            w.reset();
            // Found from anywhere: the other tests' copies of the sample would find it too.
            QVERIFY(QFile::remove(fallback));
        }
        makeWritable(capture);
    }

    void twoDocumentsOnOneCaptureMerge()
    {
        // Two instances on one capture: neither's notes vanish, deletions stay deleted.
        AnnotationDocument a, b;
        a.open(capture_);
        b.open(capture_);
        core::Annotation n;
        n.flow = 1;
        n.frame = 22;
        n.text = "from A";
        const uint64_t idA = a.add(n);
        n.text = "from B";
        const uint64_t idB = b.add(n);
        QVERIFY(idA && idB && idA != idB);
        QVERIFY(a.saveNow());
        QSignalSpy changed(&b, &AnnotationDocument::changed);
        QVERIFY(b.saveNow());
        QCOMPARE(b.items().size(), size_t{2}); // A's note merged in, and shown
        QVERIFY(changed.count() >= 1);
        QVERIFY(!b.notice().isEmpty());
        QVERIFY(a.saveNow());
        QCOMPARE(a.items().size(), size_t{2});
        QVERIFY(a.remove(idA));
        QVERIFY(a.saveNow());
        QVERIFY(b.setText(idB, QStringLiteral("from B, edited")));
        QVERIFY(b.saveNow());
        AnnotationDocument c;
        c.open(capture_);
        QCOMPARE(c.items().size(), size_t{1});
        QCOMPARE(QString::fromStdString(c.items()[0].text), QStringLiteral("from B, edited"));
    }

    void closeAsksWhenNotesCannotBeSaved()
    {
        // Neither beside the capture (read-only folder) nor in the per-user folder (XDG_DATA_HOME
        // is a regular file): closing asks, through the question the test sets.
        core::AnalysisPtr analysis;
        const QString capture = readOnlyCapture(analysis);
        QVERIFY(analysis);
        const QByteArray dataHome = qgetenv("XDG_DATA_HOME");
        const QString notAFolder = dir_.filePath(QStringLiteral("not-a-folder"));
        {
            QFile f(notAFolder);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        qputenv("XDG_DATA_HOME", QFile::encodeName(notAFolder));
        {
            testsupport::WithoutDacOverride unprivileged;
            if (!testsupport::cannotCreateIn(QFileInfo(capture).absolutePath().toStdString())) {
                qputenv("XDG_DATA_HOME", dataHome);
                makeWritable(capture);
                QSKIP("cannot make a folder read-only for this process");
            }
            using Choice = AnnotationController::UnsavedChoice;
            auto w = openWindowOn(capture, analysis);
            auto* c = controller(*w);
            c->document()->setSaveDelay(60'000);
            QVERIFY(c->addNote(rowOf(*w, 22), QStringLiteral("only in memory")));
            int asked = 0;
            QString message;
            c->setUnsavedQuestion([&](const QString& m, QString&) {
                ++asked;
                message = m;
                return Choice::Cancel;
            });
            QVERIFY(!w->close()); // cancelled: the window stays
            QCOMPARE(asked, 1);
            QVERIFY2(message.contains(capture + QStringLiteral(".flowladder.json")), qPrintable(message));
            QVERIFY(c->document()->hasUnsavedChanges());
            // Save elsewhere: an impossible place first (asked again), then a good one.
            const QString elsewhere = dir_.filePath(QStringLiteral("elsewhere.json"));
            c->setUnsavedQuestion([&](const QString&, QString& path) {
                ++asked;
                path = asked == 2 ? QFileInfo(capture).absolutePath() + QStringLiteral("/x.json") : elsewhere;
                return Choice::SaveElsewhere;
            });
            QVERIFY(w->close());
            QCOMPARE(asked, 3);
            QVERIFY(readAll(elsewhere).contains("only in memory"));
            // Discard: closes, writes nothing.
            auto w2 = openWindowOn(capture, analysis);
            auto* c2 = controller(*w2);
            c2->document()->setSaveDelay(60'000);
            QVERIFY(c2->addNote(rowOf(*w2, 22), QStringLiteral("discard me")));
            c2->setUnsavedQuestion([](const QString&, QString&) { return Choice::Discard; });
            QVERIFY(w2->close());
            QVERIFY(!c2->document()->hasUnsavedChanges());
        }
        qputenv("XDG_DATA_HOME", dataHome);
        makeWritable(capture);
    }

    void undoRedo()
    {
        auto w = openWindow();
        auto* c = controller(*w);
        AnnotationDocument* doc = c->document();
        QUndoStack* undo = doc->undoStack();
        const uint64_t id = c->addNote(rowOf(*w, 22), QStringLiteral("first"));
        QVERIFY(id);
        QVERIFY(doc->setText(id, QStringLiteral("second")));
        core::Annotation moved = *doc->find(id);
        moved.frame = 23;
        QVERIFY(doc->update(moved, 7));
        moved.frame = 24; // same drag: merged into one step
        QVERIFY(doc->update(moved, 7));
        QCOMPARE(undo->count(), 3);
        QVERIFY(doc->remove(id));
        QVERIFY(!doc->find(id));

        undo->undo(); // delete
        QVERIFY(doc->find(id));
        QCOMPARE(doc->find(id)->frame, 24u);
        undo->undo(); // the whole drag
        QCOMPARE(doc->find(id)->frame, 22u);
        undo->undo(); // text
        QCOMPARE(QString::fromStdString(doc->find(id)->text), QStringLiteral("first"));
        undo->undo(); // add
        QVERIFY(doc->items().empty());
        undo->redo();
        undo->redo();
        QCOMPARE(QString::fromStdString(doc->find(id)->text), QStringLiteral("second"));
        // Undo is saved too.
        QVERIFY(doc->saveNow());
        QVERIFY(readAll(doc->savePath()).contains("second"));
    }

    // Notes and range labels never cover a packet's label, a finding's note or each other: on the
    // incident's busiest rows (#22..#25 carry findings' notes), on screen and as exported.
    void annotationsAvoidLabelsAndFindingNotes()
    {
        auto w = openWindow();
        w->resize(1280, 720);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        auto* c = controller(*w);
        LadderView* view = w->ladder();
        view->zoomReadable();
        view->selectRow(rowOf(*w, 23));
        QVERIFY(c->addNote(rowOf(*w, 22), QStringLiteral("the ASA forged this RST: see INC-2291 for the state table")));
        QVERIFY(c->addNote(rowOf(*w, 23), QStringLiteral("challenge ACK never reached the client")));
        QVERIFY(c->addTimeRange(rowOf(*w, 23), rowOf(*w, 26), QStringLiteral("retransmitting into the void")));
        view->replot();
        const auto g = view->ladder()->currentGeometry();
        const auto content = view->content();
        const auto findingNotes = view->ladder()->lastCalloutBoxes();
        QVERIFY(!findingNotes.empty());
        const auto placed = AnnotationPainter::place(g, *content, c->document()->items(),
                                                     AnnotationPainter::font(view->font()), view, findingNotes);
        QCOMPARE(placed.size(), size_t(3));
        const double fh = QFontMetricsF(view->font()).height();
        std::vector<QRectF> taken(findingNotes.begin(), findingNotes.end());
        for (const auto& pl : placed) {
            QVERIFY(!pl.box.isEmpty());
            for (uint32_t r = 0; r < content->rows(); ++r) { // a packet's label sits above its arrow
                const double y = g.map.pixelOf(content->layout.yOfRow(r));
                const QRectF label(g.clientX, y - fh - 1, g.serverX - g.clientX, fh + 2);
                QVERIFY2(!label.intersects(pl.box), qPrintable(pl.text));
            }
            for (const QRectF& t : taken)
                QVERIFY2(!t.intersects(pl.box), qPrintable(pl.text));
            taken.push_back(pl.box);
        }
        if (const QString shots = qEnvironmentVariable("FLOWLADDER_SHOT_DIR"); !shots.isEmpty()) // to look at
            w->grab().save(shots + QStringLiteral("/annotations-avoid-labels.png"));
        // The export places them the same way: every word is in the picture.
        const QString svg = dir_.filePath(QStringLiteral("avoid.svg"));
        QString error;
        QVERIFY2(w->exports()->exportLadder(svg, false, 1.0, error), qPrintable(error));
        const QByteArray text = readAll(svg);
        for (const char* word : {"INC-2291", "challenge", "retransmitting"})
            QVERIFY2(text.contains(word), word);
    }

    // A time range from the menu is as long as the user shows, not a fixed number of packets: its
    // end follows the mouse (a click ends it) or the selection (Enter ends it); Esc cancels.
    void timeRangeEndsWhereTheUserShows()
    {
        auto w = openWindow();
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        auto* c = controller(*w);
        c->setTextQuestion(
            [](const QString&, const QString&) { return std::optional<QString>(QStringLiteral("void")); });
        LadderView* view = w->ladder();
        view->zoomReadable();
        view->selectRow(rowOf(*w, 23));
        view->replot();
        auto ranges = [&] {
            std::vector<core::Annotation> out;
            for (const auto& a : c->document()->items())
                if (a.kind == core::AnnotationKind::TimeRange) out.push_back(a);
            return out;
        };
        const auto tsOf = [&](uint32_t frame) {
            return view->content()->packetNs(static_cast<uint32_t>(rowOf(*w, frame)));
        };
        const auto pixelOf = [&](uint32_t frame) {
            const auto g = view->ladder()->currentGeometry();
            return QPoint(static_cast<int>(g.clientX + 60),
                          static_cast<int>(
                              g.map.pixelOf(view->content()->layout.yOfRow(static_cast<uint32_t>(rowOf(*w, frame))))));
        };
        // By mouse: the end follows the pointer, the click ends it on the packet there.
        c->addTimeRangeInteractive();
        QVERIFY(c->timeRangePending());
        QTest::mouseMove(view, pixelOf(25));
        QTest::mouseClick(view, Qt::LeftButton, {}, pixelOf(26));
        QVERIFY(!c->timeRangePending());
        QCOMPARE(ranges().size(), size_t(1));
        QCOMPARE(ranges()[0].startNs, tsOf(23));
        QCOMPARE(ranges()[0].endNs, tsOf(26));
        QCOMPARE(QString::fromStdString(ranges()[0].text), QStringLiteral("void"));
        // By keyboard: ↓ moves the selection (the end follows), Enter ends it; upwards works too.
        view->selectRow(rowOf(*w, 24));
        c->startTimeRange(view->selectedRow());
        QTest::keyClick(view, Qt::Key_Up);
        QTest::keyClick(view, Qt::Key_Up);
        QTest::keyClick(view, Qt::Key_Return);
        QCOMPARE(ranges().size(), size_t(2));
        QCOMPARE(ranges()[1].startNs, tsOf(22));
        QCOMPARE(ranges()[1].endNs, tsOf(24));
        // Esc cancels; ending on the packet it started from makes nothing.
        c->startTimeRange(rowOf(*w, 20));
        QTest::keyClick(view, Qt::Key_Escape);
        QVERIFY(!c->timeRangePending());
        c->startTimeRange(rowOf(*w, 20));
        QTest::mouseClick(view, Qt::LeftButton, {}, pixelOf(20));
        QCOMPARE(ranges().size(), size_t(2));
    }

    void dragMovesANote()
    {
        auto w = openWindow();
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        auto* c = controller(*w);
        LadderView* view = w->ladder();
        view->zoomReadable();
        view->selectRow(rowOf(*w, 20));
        view->replot();
        const uint64_t id = c->addNote(rowOf(*w, 20), QStringLiteral("drag me"));
        view->replot();
        // The note's box sits in the notes column beside its packet; press on it.
        const auto g = view->ladder()->currentGeometry();
        const double y = g.map.pixelOf(view->content()->layout.yOfRow(static_cast<uint32_t>(rowOf(*w, 20))));
        const auto placed =
            AnnotationPainter::place(g, *view->content(), c->document()->items(), AnnotationPainter::font(view->font()),
                                     view, view->ladder()->lastCalloutBoxes());
        QCOMPARE(placed.size(), size_t(1));
        QVERIFY(placed[0].box.left() > g.serverX);
        const QPoint press = placed[0].box.center().toPoint();
        const double y2 = g.map.pixelOf(view->content()->layout.yOfRow(static_cast<uint32_t>(rowOf(*w, 21))));
        QTest::mousePress(view, Qt::LeftButton, {}, press);
        QMouseEvent move(QEvent::MouseMove, QPointF(press.x(), press.y() + (y2 - y)),
                         view->mapToGlobal(QPointF(press.x(), press.y() + (y2 - y))), Qt::NoButton, Qt::LeftButton,
                         Qt::NoModifier);
        QApplication::sendEvent(view, &move);
        QTest::mouseRelease(view, Qt::LeftButton, {}, QPoint(press.x(), static_cast<int>(press.y() + (y2 - y))));
        QCOMPARE(c->selectedId(), id);
        QCOMPARE(c->document()->find(id)->frame, 21u);
        c->document()->undoStack()->undo();
        QCOMPARE(c->document()->find(id)->frame, 20u);
    }
};

QTEST_MAIN(TestAnnotations)
#include "tst_annotations.moc"
