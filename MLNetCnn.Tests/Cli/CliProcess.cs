using System.Diagnostics;
using System.Text;

namespace MLNetCnn.Tests.Cli;

/// <summary>Runs the command line in a child process, as a user would.</summary>
internal static class CliProcess
{
    public static (int ExitCode, string Output) Run(params string[] arguments) => BoundedProcess.Run(StartInfo(arguments), TimeSpan.FromMinutes(5));

    /// <summary>Starts the command line without waiting for it, its output and errors collected, for tests that run several or kill
    /// one.</summary>
    public static Running Start(params string[] arguments) => new(StartInfo(arguments));

    private static ProcessStartInfo StartInfo(string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MLNetCnn.Cli.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>A command line running in the background.</summary>
    public sealed class Running : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public Running(ProcessStartInfo start)
        {
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Id => _process.Id;

        public bool HasExited => _process.HasExited;

        /// <summary>What it wrote so far, output and errors interleaved.</summary>
        public string Output
        {
            get
            {
                lock (_output)
                    return _output.ToString();
            }
        }

        /// <summary>Kills it at once, as SIGKILL does (no cleanup runs).</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        /// <summary>Waits for its end within <paramref name="limit"/> (else kills it and fails) and returns its exit code.</summary>
        public int WaitForExit(TimeSpan limit)
        {
            if (!_process.WaitForExit(limit))
            {
                Kill();
                Assert.Fail($"mlnetcnn did not finish within {limit.TotalMinutes:G3} minutes: {Output}");
            }
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
                Kill();
            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
                return;
            lock (_output)
                _output.AppendLine(line);
        }
    }
}
