using Microsoft.Data.Sqlite;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// The sweep's SQLite journal file, checked and prepared before the journal plugin opens it: an unreadable file is
/// one line (not a journal plugin retrying with stack traces), and the file is put in write-ahead-log mode, where a
/// commit appends to the log (one sync) instead of rewriting pages through a rollback journal.
/// </summary>
public static class LedgerFile
{
    public static void Prepare(string path)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            // WAL persists in the file; reading the schema also proves the file is a database.
            command.CommandText = "PRAGMA journal_mode = WAL; SELECT count(*) FROM sqlite_master;";
            command.ExecuteScalar();
        }
        catch (SqliteException e)
        {
            throw new CoordinatorFailedException(
                $"the ledger {path} is not readable ({e.Message.ReplaceLineEndings(" ")}); move it aside to start the sweep over");
        }
    }
}
