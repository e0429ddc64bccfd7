using System.Diagnostics;
using System.Text;

namespace VirtualNetworking.Linux.Nftables;

/// <summary>
/// Runs the nft binary: arguments through ArgumentList (no shell), input on stdin, exit code and stderr into
/// <see cref="NftablesException"/>. We run the binary rather than P/Invoke libnftables: the exact input can be
/// replayed by hand (`nft -j -f - &lt; file`), a libnftables crash or leak cannot take the PowerShell session
/// with it, and a spawn (a few ms, two or three per start/stop) is small next to creating a bridge.
/// </summary>
internal sealed class NftCommand(string path)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public string Path { get; } = path;

    /// <summary>/usr/sbin/nft, else the first nft on PATH.</summary>
    public static string Locate()
    {
        const string standard = "/usr/sbin/nft";
        if (File.Exists(standard)) return standard;
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "nft"))
            .FirstOrDefault(File.Exists);
        return found ?? throw new NftablesException(
            "nft was not found in /usr/sbin or on PATH; install the nftables package.", "nft", null, "");
    }

    public NftResult Run(IReadOnlyList<string> arguments, string? standardInput = null)
    {
        var info = new ProcessStartInfo(Path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // No BOM: nft's JSON parser would reject it; names may be non-ASCII.
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var commandLine = string.Join(' ', [Path, .. arguments]);

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("Process.Start returned null.");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new NftablesException($"Could not start '{commandLine}': {e.Message}", commandLine, null, "", e);
        }
        using (process)
        {
            // Read both pipes while writing, so a large listing or error cannot deadlock on a full pipe.
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(standardInput ?? "");
            process.StandardInput.Close();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill();
                throw new NftablesException($"'{commandLine}' did not finish within {Timeout.TotalSeconds} s.", commandLine, null, "");
            }
            return new NftResult(commandLine, process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
        }
    }
}

internal sealed record NftResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    public NftResult ThrowIfFailed(string action) => ExitCode == 0 ? this : throw new NftablesException(
        $"nft failed to {action} (exit code {ExitCode}): {StandardError.Trim()}", CommandLine, ExitCode, StandardError);
}
