using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MLNetCnn.Estimators;

namespace MLNetCnn.Studies;

/// <summary>
/// A named study in a <see cref="CnnStudyStorage"/>: one experiment's trials as a queue that any number of processes on any
/// number of machines take from. A process claims a queued trial atomically, holds it under a lease it renews while it
/// trains, and writes its outcome; a trial whose lease runs out (its process died) goes back to the queue. Only the holder
/// of a trial's lease can finish it, so a trial's outcome is written once.
/// </summary>
public sealed class CnnStudy
{
    private static readonly string ProcessTag = $"{Environment.MachineName}/{Environment.ProcessId}/{ProcessStartTicks(Environment.ProcessId)}";

    private CnnStudy(CnnStudyStorage storage, long id, string name, string settings)
    {
        Storage = storage;
        Id = id;
        Name = name;
        Settings = settings;
    }

    /// <summary>The storage the study lives in.</summary>
    public CnnStudyStorage Storage { get; }

    /// <summary>The study's name, unique in its storage.</summary>
    public string Name { get; }

    /// <summary>What the application that created the study stored with it (the command line keeps its arguments here).</summary>
    public string Settings { get; }

    internal long Id { get; }

    /// <summary>Opens the study <paramref name="name"/>, creating it (empty, with <paramref name="settings"/>) if it does not
    /// exist.</summary>
    public static CnnStudy CreateOrLoad(CnnStudyStorage storage, string name, string settings = "")
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(settings);
        return storage.InTransaction((connection, transaction) =>
        {
            CnnStudyStorage.Execute(connection, transaction, "INSERT INTO mlnetcnn_studies (name, definition, settings, created_at) " +
                $"VALUES (@name, '', @settings, {storage.Now}) ON CONFLICT (name) DO NOTHING", ("@name", name), ("@settings", settings));
            return Find(storage, connection, transaction, name)!;
        });
    }

    /// <summary>Opens the existing study <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">The storage has no study of that name.</exception>
    public static CnnStudy Load(CnnStudyStorage storage, string name)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        using var connection = storage.Connect();
        if (Find(storage, connection, null, name) is { } study)
            return study;
        var names = new List<string>();
        using (var command = CnnStudyStorage.Command(connection, null, "SELECT name FROM mlnetcnn_studies ORDER BY name"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                names.Add(reader.GetString(0));
        }
        throw new InvalidOperationException($"The storage '{storage.Url}' has no study '{name}' " +
            $"({(names.Count == 0 ? "it has none" : "it has " + string.Join(", ", names))}): create it with compare --storage ... --study {name}.");
    }

    private static CnnStudy? Find(CnnStudyStorage storage, DbConnection connection, DbTransaction? transaction, string name)
    {
        using var command = CnnStudyStorage.Command(connection, transaction,
            "SELECT id, settings FROM mlnetcnn_studies WHERE name = @name", ("@name", name));
        using var reader = command.ExecuteReader();
        return reader.Read() ? new CnnStudy(storage, reader.GetInt64(0), name, reader.GetString(1)) : null;
    }

    /// <summary>Every trial of the study, in trial order.</summary>
    public IReadOnlyList<CnnStudyTrial> Trials()
    {
        using var connection = Storage.Connect();
        using var command = CnnStudyStorage.Command(connection, null,
            "SELECT number, candidate, state, attempts, worker, error, score FROM mlnetcnn_trials WHERE study_id = @study ORDER BY number",
                ("@study", Id));
        using var reader = command.ExecuteReader();
        var trials = new List<CnnStudyTrial>();
        while (reader.Read())
        {
            trials.Add(new CnnStudyTrial(reader.GetInt32(0), JsonSerializer.Deserialize<CnnCandidate>(reader.GetString(1))!, ParseState(reader.GetString(2)),
                reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetDouble(6)));
        }
        return trials;
    }

    /// <summary>How many times each trial was claimed, by whom, and how each attempt ended, in claim order.</summary>
    public IReadOnlyList<CnnStudyAttempt> Attempts()
    {
        using var connection = Storage.Connect();
        using var command = CnnStudyStorage.Command(connection, null, "SELECT t.number, a.worker, a.outcome FROM mlnetcnn_attempts a " +
            "JOIN mlnetcnn_trials t ON t.id = a.trial_id WHERE t.study_id = @study ORDER BY a.id", ("@study", Id));
        using var reader = command.ExecuteReader();
        var attempts = new List<CnnStudyAttempt>();
        while (reader.Read())
            attempts.Add(new CnnStudyAttempt(reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        return attempts;
    }

    /// <summary>
    /// Queues <paramref name="candidates"/> as trials 1, 2, ... the first time; later calls (a resumed run, a second
    /// coordinator) check that <paramref name="definition"/> is the one the study was started with and add nothing.
    /// </summary>
    internal void Enqueue(string definition, IReadOnlyList<CnnCandidate> candidates)
    {
        Storage.InTransaction((connection, transaction) =>
        {
            using (var command = CnnStudyStorage.Command(connection, transaction,
                $"SELECT definition FROM mlnetcnn_studies WHERE id = @study{(Storage.IsPostgres ? " FOR UPDATE" : "")}", ("@study", Id)))
            {
                string stored = (string)command.ExecuteScalar()!;
                if (stored.Length > 0)
                {
                    if (stored != definition)
                    {
                        throw new InvalidOperationException($"The study '{Name}' in '{Storage.Url}' was started with other settings; " +
                            $"resume it with the same ones (seed included), or give another study name.\n  stored: {stored}\n  now:    {definition}");
                    }
                    return 0;
                }
            }
            CnnStudyStorage.Execute(connection, transaction, "UPDATE mlnetcnn_studies SET definition = @definition WHERE id = @study",
                ("@definition", definition), ("@study", Id));
            for (int i = 0; i < candidates.Count; i++)
            {
                CnnStudyStorage.Execute(connection, transaction, "INSERT INTO mlnetcnn_trials (study_id, number, candidate, state) " +
                    "VALUES (@study, @number, @candidate, 'queued')", ("@study", Id), ("@number", i + 1),
                        ("@candidate", JsonSerializer.Serialize(candidates[i])));
            }
            return candidates.Count;
        });
    }

    /// <summary>
    /// Puts back in the queue the trials whose lease ran out, and those held by a process of this machine that is gone
    /// (found at once, without waiting for the lease). Returns their numbers.
    /// </summary>
    internal IReadOnlyList<int> RequeueAbandoned()
    {
        return Storage.InTransaction((connection, transaction) =>
        {
            var abandoned = new List<(long Id, int Number, string Worker)>();
            using (var command = CnnStudyStorage.Command(connection, transaction, "SELECT id, number, worker, " +
                $"CASE WHEN lease_until < {Storage.Now} THEN 1 ELSE 0 END FROM mlnetcnn_trials WHERE study_id = @study AND state = 'running'",
                ("@study", Id)))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    string worker = reader.GetString(2);
                    if (reader.GetInt32(3) == 1 || IsDeadLocalWorker(worker))
                        abandoned.Add((reader.GetInt64(0), reader.GetInt32(1), worker));
                }
            }
            foreach (var (id, _, worker) in abandoned)
            {
                CnnStudyStorage.Execute(connection, transaction,
                    $"UPDATE mlnetcnn_attempts SET finished_at = {Storage.Now}, outcome = 'abandoned' " +
                    "WHERE trial_id = @id AND worker = @worker AND finished_at IS NULL", ("@id", id), ("@worker", worker));
                CnnStudyStorage.Execute(connection, transaction,
                    "UPDATE mlnetcnn_trials SET state = 'queued', worker = NULL, lease_until = NULL " +
                    "WHERE id = @id AND worker = @worker AND state = 'running'", ("@id", id), ("@worker", worker));
            }
            return (IReadOnlyList<int>)[.. abandoned.Select(a => a.Number)];
        });
    }

    /// <summary>Claims the first queued trial for <paramref name="worker"/> under a lease, or returns null when none is queued.</summary>
    internal ClaimedTrial? TryClaim(string worker, TimeSpan lease)
    {
        return Storage.InTransaction<ClaimedTrial?>((connection, transaction) =>
        {
            long id;
            int number;
            string candidate;
            // SKIP LOCKED: concurrent claimers each take a different row instead of queueing behind one lock. SQLite's write
            // transaction (BEGIN IMMEDIATE) already lets one claimer in at a time.
            using (var command = CnnStudyStorage.Command(connection, transaction, "SELECT id, number, candidate FROM mlnetcnn_trials " +
                $"WHERE study_id = @study AND state = 'queued' ORDER BY number LIMIT 1{(Storage.IsPostgres ? " FOR UPDATE SKIP LOCKED" : "")}",
                ("@study", Id)))
            using (var reader = command.ExecuteReader())
            {
                if (!reader.Read())
                    return null;
                (id, number, candidate) = (reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2));
            }
            CnnStudyStorage.Execute(connection, transaction, "UPDATE mlnetcnn_trials SET state = 'running', worker = @worker, " +
                $"lease_until = {Storage.Now} + @lease, attempts = attempts + 1 WHERE id = @id",
                ("@worker", worker), ("@lease", lease.TotalSeconds), ("@id", id));
            using var insert = CnnStudyStorage.Command(connection, transaction,
                "INSERT INTO mlnetcnn_attempts (trial_id, worker, started_at) " +
                $"VALUES (@id, @worker, {Storage.Now}) RETURNING id", ("@id", id), ("@worker", worker));
            long attempt = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
            return new ClaimedTrial(id, number, JsonSerializer.Deserialize<CnnCandidate>(candidate)!, worker, attempt);
        });
    }

    /// <summary>Extends the lease; false when the trial is no longer this worker's (its lease ran out and it was re-queued).</summary>
    internal bool Heartbeat(ClaimedTrial trial, TimeSpan lease)
    {
        using var connection = Storage.Connect();
        return CnnStudyStorage.Execute(connection, null, $"UPDATE mlnetcnn_trials SET lease_until = {Storage.Now} + @lease " +
            "WHERE id = @id AND worker = @worker AND state = 'running'", ("@lease", lease.TotalSeconds), ("@id", trial.Id),
                ("@worker", trial.Worker)) == 1;
    }

    /// <summary>
    /// Writes the epoch metric of the trial's current attempt at a rung and returns every metric the study's trials recorded at
    /// that epoch (each trial's latest attempt's), this one included.
    /// </summary>
    internal IReadOnlyCollection<double> ReportEpoch(ClaimedTrial trial, int epoch, double metric) =>
        Storage.InTransaction((connection, transaction) =>
        {
            CnnStudyStorage.Execute(connection, transaction,
                "INSERT INTO mlnetcnn_epochs (attempt_id, epoch, metric) VALUES (@attempt, @epoch, @metric)",
                ("@attempt", trial.Attempt), ("@epoch", epoch), ("@metric", metric));
            using var command = CnnStudyStorage.Command(connection, transaction, "SELECT e.metric FROM mlnetcnn_epochs e " +
                "JOIN mlnetcnn_attempts a ON a.id = e.attempt_id JOIN mlnetcnn_trials t ON t.id = a.trial_id WHERE t.study_id = @study AND e.epoch = @epoch " +
                "AND a.id = (SELECT MAX(latest.id) FROM mlnetcnn_attempts latest JOIN mlnetcnn_epochs reported ON reported.attempt_id = latest.id " +
                "WHERE latest.trial_id = t.id AND reported.epoch = @epoch)", ("@study", Id), ("@epoch", epoch));
            using var reader = command.ExecuteReader();
            var metrics = new List<double>();
            while (reader.Read())
                metrics.Add(reader.GetDouble(0));
            return (IReadOnlyCollection<double>)metrics;
        });

    /// <summary>The rungs of successive halving kept in the study, for the trial <paramref name="trial"/> runs.</summary>
    internal IRungRecord Rungs(ClaimedTrial trial) => new StudyRungs(this, trial);

    private sealed class StudyRungs(CnnStudy study, ClaimedTrial trial) : IRungRecord
    {
        public IReadOnlyCollection<double> Record(int trialNumber, int epoch, double metric) => study.ReportEpoch(trial, epoch, metric);
    }

    /// <summary>
    /// Writes the trial's outcome and, for a completed trial, its model (kept while it is the study's best, or always with
    /// <paramref name="keepAllModels"/>). False, writing nothing, when the trial is no longer this worker's.
    /// </summary>
    internal bool Finish(ClaimedTrial trial, CnnTrialResult result, byte[]? model, bool keepAllModels)
    {
        string state = result.Status switch { CnnTrialStatus.Completed => "completed", CnnTrialStatus.Pruned => "pruned", _ => "failed" };
        bool maximize = result.OptimizationMetric.IsMaximized();
        return Storage.InTransaction((connection, transaction) =>
        {
            // One finisher at a time per study, so that exactly the best model stays.
            if (Storage.IsPostgres)
                CnnStudyStorage.Execute(connection, transaction,
                    "SELECT pg_advisory_xact_lock(2050772, CAST(@study AS INTEGER))", ("@study", Id));
            int updated = CnnStudyStorage.Execute(connection, transaction,
                "UPDATE mlnetcnn_trials SET state = @state, score = @score, result = @result, " +
                "error = @error, lease_until = NULL WHERE id = @id AND worker = @worker AND state = 'running'",
                ("@state", state), ("@score", result.Score), ("@result", JsonSerializer.Serialize(StoredResult.From(result), StoredResult.Json)), ("@error", result.Error),
                ("@id", trial.Id), ("@worker", trial.Worker));
            if (updated == 0)
                return false;
            CnnStudyStorage.Execute(connection, transaction,
                $"UPDATE mlnetcnn_attempts SET finished_at = {Storage.Now}, outcome = @state WHERE id = @attempt",
                ("@state", state), ("@attempt", trial.Attempt));
            if (model is not null)
            {
                CnnStudyStorage.Execute(connection, transaction,
                    "INSERT INTO mlnetcnn_models (trial_id, model) VALUES (@id, @model)", ("@id", trial.Id), ("@model", model));
                if (!keepAllModels)
                {
                    CnnStudyStorage.Execute(connection, transaction,
                        "DELETE FROM mlnetcnn_models WHERE trial_id IN (SELECT id FROM mlnetcnn_trials " +
                        "WHERE study_id = @study) AND trial_id <> (SELECT id FROM mlnetcnn_trials WHERE study_id = @study AND state = 'completed' " +
                        $"ORDER BY score {(maximize ? "DESC" : "ASC")}, number LIMIT 1)", ("@study", Id));
                }
            }
            return true;
        });
    }

    /// <summary>Gives the trial back to the queue unfinished (the time budget ran out, or the run was cancelled).</summary>
    internal void Release(ClaimedTrial trial, string outcome)
    {
        Storage.InTransaction((connection, transaction) =>
        {
            CnnStudyStorage.Execute(connection, transaction,
                $"UPDATE mlnetcnn_attempts SET finished_at = {Storage.Now}, outcome = @outcome WHERE id = @attempt",
                ("@outcome", outcome), ("@attempt", trial.Attempt));
            return CnnStudyStorage.Execute(connection, transaction,
                "UPDATE mlnetcnn_trials SET state = 'queued', worker = NULL, lease_until = NULL " +
                "WHERE id = @id AND worker = @worker AND state = 'running'", ("@id", trial.Id), ("@worker", trial.Worker));
        });
    }

    /// <summary>The finished trials as leaderboard rows (without models), in trial order.</summary>
    internal IReadOnlyList<CnnTrialResult> Results(CnnExperimentMetric metric)
    {
        using var connection = Storage.Connect();
        using var command = CnnStudyStorage.Command(connection, null,
            "SELECT number, candidate, state, result, error FROM mlnetcnn_trials " +
            "WHERE study_id = @study AND state IN ('completed', 'failed', 'pruned') ORDER BY number", ("@study", Id));
        using var reader = command.ExecuteReader();
        var results = new List<CnnTrialResult>();
        while (reader.Read())
        {
            var candidate = JsonSerializer.Deserialize<CnnCandidate>(reader.GetString(1))!;
            var stored = JsonSerializer.Deserialize<StoredResult>(reader.GetString(3), StoredResult.Json)!;
            results.Add(stored.ToResult(reader.GetInt32(0), candidate, metric, ParseState(reader.GetString(2)), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }
        return results;
    }

    /// <summary>The stored models by trial number.</summary>
    internal IReadOnlyDictionary<int, byte[]> Models()
    {
        using var connection = Storage.Connect();
        using var command = CnnStudyStorage.Command(connection, null,
            "SELECT t.number, m.model FROM mlnetcnn_models m JOIN mlnetcnn_trials t " +
            "ON t.id = m.trial_id WHERE t.study_id = @study", ("@study", Id));
        using var reader = command.ExecuteReader();
        var models = new Dictionary<int, byte[]>();
        while (reader.Read())
            models[reader.GetInt32(0)] = (byte[])reader.GetValue(1);
        return models;
    }

    /// <summary>A name for a worker of this process: machine, process id and start time (so a reused id is not mistaken), and a
    /// tag.</summary>
    internal static string NewWorkerName() => $"{ProcessTag}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Whether <paramref name="worker"/> names a process of this machine that has exited.</summary>
    private static bool IsDeadLocalWorker(string worker)
    {
        var parts = worker.Split('/');
        if (parts.Length < 3 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int pid)
            || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out long started))
        {
            return false;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited || ProcessStartTicks(pid) != started;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>
    /// When the process started, in clock ticks since boot (<c>/proc/PID/stat</c>'s field 22): exact and the same whoever
    /// reads it, unlike <c>Process.StartTime</c>, whose wall-clock conversion moves when a virtual machine's clock is set.
    /// 0 where there is no <c>/proc</c>, which makes a reused process id undetectable there but never a live worker dead.
    /// </summary>
    private static long ProcessStartTicks(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[22 - 3], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    private static CnnStudyTrialState ParseState(string state) => state switch
    {
        "queued" => CnnStudyTrialState.Queued,
        "running" => CnnStudyTrialState.Running,
        "completed" => CnnStudyTrialState.Completed,
        "failed" => CnnStudyTrialState.Failed,
        "pruned" => CnnStudyTrialState.Pruned,
        _ => throw new InvalidOperationException($"Unknown trial state '{state}' in the study store."),
    };
}

/// <summary>A trial of a <see cref="CnnStudy"/> as the store has it.</summary>
/// <param name="Number">The trial's number in the study, from 1.</param>
/// <param name="Candidate">What the trial trains, settings filled in.</param>
/// <param name="State">Where the trial is.</param>
/// <param name="Attempts">How many times a process claimed it (more than once when a process died holding it).</param>
/// <param name="Worker">The process that holds or finished it: machine/process id/start time/tag; null while queued.</param>
/// <param name="Error">Why it failed; null otherwise.</param>
/// <param name="Score">Its optimization metric, once completed.</param>
public sealed record CnnStudyTrial(int Number, CnnCandidate Candidate, CnnStudyTrialState State, int Attempts, string? Worker, string? Error, double? Score)
{
    /// <summary>Whether the trial is done for good: completed, failed or pruned.</summary>
    public bool IsFinished => State is CnnStudyTrialState.Completed or CnnStudyTrialState.Failed or CnnStudyTrialState.Pruned;
}

/// <summary>One claim of a trial: who claimed it and how it ended (null while it runs or when its process died unseen).</summary>
/// <param name="Number">The trial's number.</param>
/// <param name="Worker">The claiming process.</param>
/// <param name="Outcome">completed, failed, abandoned (the process died or its lease ran out), or released (budget or
/// cancellation).</param>
public sealed record CnnStudyAttempt(int Number, string Worker, string? Outcome);

/// <summary>Where a trial of a <see cref="CnnStudy"/> is.</summary>
public enum CnnStudyTrialState
{
    /// <summary>Waiting for a worker.</summary>
    Queued,

    /// <summary>Claimed by a worker whose lease has not run out.</summary>
    Running,

    /// <summary>Trained and evaluated.</summary>
    Completed,

    /// <summary>Threw while building, training or evaluating.</summary>
    Failed,

    /// <summary>Stopped by successive halving at a rung where it fell behind.</summary>
    Pruned,
}

/// <summary>A trial this process holds: its row, candidate, the worker name and the attempt.</summary>
internal sealed record ClaimedTrial(long Id, int Number, CnnCandidate Candidate, string Worker, long Attempt);
