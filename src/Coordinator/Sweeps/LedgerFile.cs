using Microsoft.Data.Sqlite;

namespace Steerability.Coordinator.Sweeps;

/// <summary>
/// Checks a sweep's ledger (the SQLite journal) before the coordinator opens it: a damaged file would otherwise make
/// the journal plugin fail and retry without end. A missing file is fine (a new sweep). Then prepares it: write-ahead-log
/// mode, where a commit appends to the log (one sync) instead of rewriting pages through a rollback journal.
/// </summary>
public static class LedgerFile
{
    /// <summary>Throws <see cref="SweepFolderException"/> in one line when the file is not a sound SQLite database.</summary>
    public static void Check(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }
        string verdict;
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check";
            verdict = Convert.ToString(command.ExecuteScalar()) ?? "no answer";
        }
        catch (SqliteException e)
        {
            verdict = e.Message.ReplaceLineEndings(" ");
        }
        if (verdict != "ok")
        {
            throw new SweepFolderException($"{path}: the ledger is damaged ({verdict}); accepted: a ledger written by steer; " +
                "move it aside, or run with --new-sweep, to run the sweep again");
        }
    }

    /// <summary>Puts the ledger in WAL mode before the journal plugin opens it; an unreadable file is one line.</summary>
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
