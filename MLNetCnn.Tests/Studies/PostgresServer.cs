using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace MLNetCnn.Tests.Studies;

/// <summary>
/// A private PostgreSQL cluster for the test run: Debian's server programs (the newest in /usr/lib/postgresql) (scripts/test.sh installs
/// the postgresql
/// package), a fresh data folder, a free local port, trust authentication on 127.0.0.1 only. PostgreSQL refuses to run as
/// root, so under root (as in CI) the cluster belongs to the postgres system user. Started on first use, stopped by
/// <see cref="Stop"/> (the test classes' cleanup) and at the process's exit.
/// </summary>
internal sealed class PostgresServer
{
    /// <summary>The newest installed server's programs (Debian installs each major version beside the others).</summary>
    private static readonly string BinFolder = Directory.Exists("/usr/lib/postgresql")
        ? Directory.EnumerateDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "pg_ctl"))).OrderByDescending(bin => int.TryParse(bin.Split('/')[^2], out int v) ? v : 0)
            .FirstOrDefault() ?? "/usr/lib/postgresql/15/bin"
        : "/usr/lib/postgresql/15/bin";
    private const string User = "mlnetcnn";

    private static readonly Lazy<PostgresServer> Shared = new(() => new PostgresServer(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _folder;
    private readonly int _port;
    private int _databases;

    private PostgresServer()
    {
        if (!File.Exists(Path.Combine(BinFolder, "pg_ctl")))
            Assert.Fail($"The PostgreSQL server is not installed ({BinFolder}/pg_ctl is missing): run the tests with scripts/test.sh, which installs Debian's postgresql.");
        _folder = Path.Combine(Path.GetTempPath(), $"mlnetcnn-postgres-{Environment.ProcessId}");
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
        Directory.CreateDirectory(_folder);
        _port = FreePort();
        string data = Path.Combine(_folder, "data");
        if (IsRoot)
            Run("chown", "postgres:", _folder);
        RunAsOwner("initdb", "-D", data, "-U", User, "-A", "trust", "--no-sync", "-E", "UTF8");
        RunAsOwner("pg_ctl", "-D", data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60", "-o",
            $"-p {_port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopServer();
    }

    /// <summary>Whether the shared cluster was started.</summary>
    public static bool IsStarted => Shared.IsValueCreated;

    /// <summary>An empty database of its own on the shared cluster, as a storage URL.</summary>
    public static string NewDatabase()
    {
        var server = Shared.Value;
        string name = $"study{Interlocked.Increment(ref server._databases)}";
        using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={server._port};Username={User};Database=postgres");
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
        return $"postgresql://{User}:unused@127.0.0.1:{server._port}/{name}";
    }

    /// <summary>Stops the shared cluster, if it was started, and deletes its folder.</summary>
    public static void Stop()
    {
        if (Shared.IsValueCreated)
            Shared.Value.StopServer();
    }

    private void StopServer()
    {
        if (!Directory.Exists(_folder))
            return;
        NpgsqlConnection.ClearAllPools();
        RunAsOwner("pg_ctl", "-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop");
        Directory.Delete(_folder, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void RunAsOwner(string program, params string[] arguments)
    {
        string path = Path.Combine(BinFolder, program);
        if (IsRoot)
            Run("runuser", ["-u", "postgres", "--", path, .. arguments]);
        else
            Run(path, arguments);
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = "/" };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        var (exitCode, output) = BoundedProcess.Run(start, TimeSpan.FromMinutes(2));
        if (exitCode != 0)
            Assert.Fail($"PostgreSQL could not be started for the tests: {program} {string.Join(' ', arguments)} exited with {exitCode}: {output}");
    }
}
