using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MLNetCnn.Studies;

/// <summary>
/// A relational database that holds studies, spelled as Optuna spells its storages: <c>sqlite:///runs/study.db</c> (a file,
/// relative to the working folder; four slashes for an absolute path) or <c>postgresql://user:password@host:5432/database</c>.
/// Opening one creates the schema in an empty database, upgrades an older MLNetCnn schema, and refuses (without writing) a
/// database that holds other tables or a newer MLNetCnn schema.
/// </summary>
public sealed class CnnStudyStorage
{
    /// <summary>The schema version this build reads and writes; <see cref="Migrations"/> brings older ones up to it.</summary>
    public const int SchemaVersion = 1;

    private readonly string _connectionString;

    private CnnStudyStorage(string url, bool postgres, string connectionString)
    {
        Url = url;
        IsPostgres = postgres;
        _connectionString = connectionString;
    }

    /// <summary>The storage URL with its password hidden, for messages.</summary>
    public string Url { get; }

    internal bool IsPostgres { get; }

    /// <summary>Opens (creating or upgrading the schema if needed) the storage at <paramref name="url"/>.</summary>
    /// <exception cref="ArgumentException">The URL is neither <c>sqlite:///PATH</c> nor <c>postgresql://...</c>.</exception>
    /// <exception cref="InvalidOperationException">The database holds other tables, or a newer MLNetCnn schema.</exception>
    public static CnnStudyStorage Open(string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        var storage = Parse(url);
        storage.Migrate();
        return storage;
    }

    private static CnnStudyStorage Parse(string url)
    {
        const string sqlite = "sqlite:///";
        if (url.StartsWith(sqlite, StringComparison.OrdinalIgnoreCase))
        {
            string path = Path.GetFullPath(url[sqlite.Length..]);
            if (path.Length == 0 || Directory.Exists(path))
                throw new ArgumentException($"The storage '{url}' names no file: write sqlite:///PATH/TO/study.db.");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // Default Timeout: a writer waits this long for another process's lock (SQLite's busy timeout) before failing.
            var builder = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 60, Pooling = false };
            return new CnnStudyStorage($"{sqlite}{url[sqlite.Length..]}", postgres: false, builder.ConnectionString);
        }
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "postgresql" or "postgres")
        {
            string[] credentials = uri.UserInfo.Split(':', 2);
            string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
            var builder = new NpgsqlConnectionStringBuilder
            {
                Host = uri.Host,
                Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
                Database = database.Length == 0 ? null : database,
                Username = credentials[0].Length == 0 ? null : Uri.UnescapeDataString(credentials[0]),
                Password = credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : null,
            };
            string shown = credentials.Length > 1 ? url.Replace(":" + credentials[1] + "@", ":***@", StringComparison.Ordinal) : url;
            return new CnnStudyStorage(shown, postgres: true, builder.ConnectionString);
        }
        throw new ArgumentException($"Unknown storage '{url}': write sqlite:///PATH/TO/study.db (a file) or " +
            "postgresql://USER:PASSWORD@HOST:5432/DATABASE.");
    }

    /// <summary>An open connection; the caller disposes it.</summary>
    internal DbConnection Connect()
    {
        DbConnection connection = IsPostgres ? new NpgsqlConnection(_connectionString) : new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            connection.Dispose();
            throw new InvalidOperationException($"Cannot open the storage '{Url}': {e.Message}", e);
        }
        return connection;
    }

    /// <summary>The database's clock in seconds since 1970, so that workers on machines whose clocks differ agree on leases.</summary>
    internal string Now => IsPostgres ? "CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION)"
        : "((julianday('now') - 2440587.5) * 86400.0)";

    /// <summary>Runs <paramref name="work"/> in a transaction that takes the write lock at once (SQLite) and commits it.</summary>
    internal T InTransaction<T>(Func<DbConnection, DbTransaction, T> work)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                using var connection = Connect();
                using var transaction = connection is SqliteConnection sqlite ? sqlite.BeginTransaction(deferred: false) : connection.BeginTransaction();
                var result = work(connection, transaction);
                transaction.Commit();
                return result;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                && attempt < MaxTransactionAttempts)
            {
                // PostgreSQL rolled the whole transaction back (two workers locked rows in opposite orders): run it again, as
                // its documentation advises, after a short random pause so that the two do not meet again.
                Thread.Sleep(Random.Shared.Next(10, 50 * attempt));
            }
        }
    }

    private const int MaxTransactionAttempts = 8;

    /// <summary>
    /// Each schema version's statements, applied in order in one transaction with the version row. <c>{id}</c> is an
    /// auto-numbered key and <c>{blob}</c> a byte column, in each dialect.
    /// </summary>
    private static readonly string[][] Migrations =
    [
        [
            "CREATE TABLE mlnetcnn_schema (version INTEGER NOT NULL)",
            "CREATE TABLE mlnetcnn_studies (id {id}, name TEXT NOT NULL UNIQUE, definition TEXT NOT NULL, settings TEXT NOT NULL, " +
                "created_at DOUBLE PRECISION NOT NULL)",
            "CREATE TABLE mlnetcnn_trials (id {id}, study_id BIGINT NOT NULL REFERENCES mlnetcnn_studies (id), number INTEGER NOT NULL, " +
                "candidate TEXT NOT NULL, state TEXT NOT NULL, worker TEXT, lease_until DOUBLE PRECISION, attempts INTEGER NOT NULL DEFAULT 0, " +
                "score DOUBLE PRECISION, result TEXT, error TEXT, UNIQUE (study_id, number))",
            "CREATE INDEX mlnetcnn_trials_state ON mlnetcnn_trials (study_id, state, number)",
            "CREATE TABLE mlnetcnn_attempts (id {id}, trial_id BIGINT NOT NULL REFERENCES mlnetcnn_trials (id), worker TEXT NOT NULL, " +
                "started_at DOUBLE PRECISION NOT NULL, finished_at DOUBLE PRECISION, outcome TEXT)",
            "CREATE TABLE mlnetcnn_epochs (attempt_id BIGINT NOT NULL REFERENCES mlnetcnn_attempts (id), epoch INTEGER NOT NULL, " +
                "metric DOUBLE PRECISION NOT NULL, PRIMARY KEY (attempt_id, epoch))",
            "CREATE TABLE mlnetcnn_models (trial_id BIGINT PRIMARY KEY REFERENCES mlnetcnn_trials (id), model {blob} NOT NULL)",
        ],
    ];

    private void Migrate()
    {
        try
        {
            MigrateInTransaction();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 26)
        {
            throw new InvalidOperationException($"The storage '{Url}' is not an SQLite database ({e.Message}); it was left untouched.", e);
        }
        if (!IsPostgres)
        {
            // Write-ahead logging: readers (a coordinator polling) do not block the worker that writes.
            using var connection = Connect();
            Execute(connection, null, "PRAGMA journal_mode=WAL");
        }
    }

    private void MigrateInTransaction()
    {
        InTransaction((connection, transaction) =>
        {
            // Workers starting together on a new database: one creates the schema, the others wait and find it.
            if (IsPostgres)
                Execute(connection, transaction, "SELECT pg_advisory_xact_lock(2050771)");
            var tables = Tables(connection, transaction);
            int version = 0;
            if (tables.Contains("mlnetcnn_schema"))
            {
                using var command = Command(connection, transaction, "SELECT MAX(version) FROM mlnetcnn_schema");
                version = Convert.ToInt32(command.ExecuteScalar() is { } v and not DBNull ? v : 0, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (tables.Count > 0)
            {
                throw new InvalidOperationException($"The storage '{Url}' holds tables that are not an MLNetCnn study store " +
                    $"({string.Join(", ", tables.Order().Take(5))}); it was left untouched. Give an empty or new database.");
            }
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException($"The storage '{Url}' has study schema version {version}, newer than the {SchemaVersion} " +
                    "this mlnetcnn reads; it was left untouched. Use a newer mlnetcnn.");
            }
            for (int next = version + 1; next <= SchemaVersion; next++)
            {
                foreach (var statement in Migrations[next - 1])
                {
                    Execute(connection, transaction, statement
                        .Replace("{id}", IsPostgres ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY", StringComparison.Ordinal)
                        .Replace("{blob}", IsPostgres ? "BYTEA" : "BLOB", StringComparison.Ordinal));
                }
                Execute(connection, transaction,
                    next == 1 ? "INSERT INTO mlnetcnn_schema (version) VALUES (1)" : $"UPDATE mlnetcnn_schema SET version = {next}");
            }
            return version;
        });
    }

    private HashSet<string> Tables(DbConnection connection, DbTransaction transaction)
    {
        using var command = Command(connection, transaction, IsPostgres
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
        using var reader = command.ExecuteReader();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read())
            names.Add(reader.GetString(0));
        return names;
    }

    internal static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    internal static int Execute(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }
}
