// Linked into every ui test: the process gets a settings directory of its own (XDG_CONFIG_HOME
// in a fresh temporary directory, removed when the application object goes), so recent files
// and export folders written by QSettings never leak between tests running at the same time,
// nor into the user's or the build tree's configuration. Notes that cannot be saved beside a
// capture go to XDG_DATA_HOME: a "data" folder in the same directory.
#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtGlobal>

namespace {

QTemporaryDir* configDir = nullptr;

void useOwnConfigDir()
{
    configDir = new QTemporaryDir(QDir::tempPath() + QStringLiteral("/flowladder-uitest-XXXXXX"));
    if (!configDir->isValid()) qFatal("cannot create a temporary settings directory");
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(configDir->path()));
    qputenv("XDG_DATA_HOME", QFile::encodeName(configDir->filePath(QStringLiteral("data"))));
    qAddPostRoutine([] {
        delete configDir;
        configDir = nullptr;
    });
}

} // namespace

Q_COREAPP_STARTUP_FUNCTION(useOwnConfigDir)
