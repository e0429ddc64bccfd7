using System.Globalization;
using System.Runtime.InteropServices;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Linux.Nftables;

/// <summary>Runs nftables commands and returns nft's output, as the nft binary would for the same input.</summary>
internal interface INftRunner
{
    /// <param name="commands">A JSON document (libnftables-json(5)) or commands in nft's own syntax; output is JSON.</param>
    /// <param name="echo">Print the applied commands back with their handles (nft -e).</param>
    NftResult Run(string commands, bool echo = false);
}

/// <summary>
/// libnftables in-process (libnftables.so.1, shipped with the nftables package): the same parser and
/// netlink code as the nft binary, without a process per change (a spawn cost more than the transaction).
/// One context per process, kept open: closing its netlink socket makes the kernel wait out an RCU grace
/// period for the rules and tables a transaction deleted (NETLINK_URELEASE flushes nf_tables' destroy work),
/// while an open socket leaves that freeing to the kernel's worker. Calls are serialised; a context belongs
/// to the network namespace it was made in, so a thread in another namespace gets its own.
/// </summary>
internal sealed partial class Libnftables : INftRunner
{
    public const string LibraryName = "libnftables.so.1";
    private const uint OutputJson = 1 << 4;
    private const uint OutputEcho = 1 << 5;

    public static readonly Libnftables Instance = new();

    private static readonly Lock Gate = new();
    private static readonly Dictionary<ulong, nint> Contexts = [];

    private Libnftables() { }

    public NftResult Run(string commands, bool echo = false)
    {
        var commandLine = CommandLine(commands, echo);
        lock (Gate)
        {
            var context = Context(commandLine);
            nft_ctx_output_set_flags(context, OutputJson | (echo ? OutputEcho : 0));
            var status = nft_run_cmd_from_buffer(context, commands);
            // Both buffers are read after every run: each read also rewinds it for the next one.
            var output = Marshal.PtrToStringUTF8(nft_ctx_get_output_buffer(context)) ?? "";
            var error = Marshal.PtrToStringUTF8(nft_ctx_get_error_buffer(context)) ?? "";
            return new NftResult(commandLine, status == 0 ? 0 : 1, output, error);
        }
    }

    /// <summary>The nft command line that replays <paramref name="commands"/> by hand (JSON on stdin).</summary>
    private static string CommandLine(string commands, bool echo) =>
        (echo ? "nft -e -j " : "nft -j ") + (commands.TrimStart().StartsWith('{') ? "-f -" : commands);

    private static nint Context(string commandLine)
    {
        var netns = NetworkNamespace.CurrentInode();
        if (Contexts.TryGetValue(netns, out var existing)) return existing;
        nint context;
        try
        {
            context = nft_ctx_new(0);
            if (context == 0 || nft_ctx_buffer_output(context) != 0 || nft_ctx_buffer_error(context) != 0)
                throw new NftablesException("libnftables could not set up a context (out of memory?).", commandLine, null, "");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new NftablesException(
                string.Create(CultureInfo.InvariantCulture, $"{LibraryName} could not be loaded ({e.Message}). Install the nftables package (Debian and Ubuntu: libnftables1)."),
                commandLine, null, "", e);
        }
        Contexts[netns] = context;
        return context;
    }

    [LibraryImport(LibraryName)]
    private static partial nint nft_ctx_new(uint flags);

    [LibraryImport(LibraryName)]
    private static partial int nft_ctx_buffer_output(nint context);

    [LibraryImport(LibraryName)]
    private static partial int nft_ctx_buffer_error(nint context);

    [LibraryImport(LibraryName)]
    private static partial void nft_ctx_output_set_flags(nint context, uint flags);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int nft_run_cmd_from_buffer(nint context, string buffer);

    [LibraryImport(LibraryName)]
    private static partial nint nft_ctx_get_output_buffer(nint context);

    [LibraryImport(LibraryName)]
    private static partial nint nft_ctx_get_error_buffer(nint context);
}

/// <summary>One run: the nft command line that replays it, nft's status (0 = success, 1 = refused) and its output.</summary>
internal sealed record NftResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    public NftResult ThrowIfFailed(string action) => ExitCode == 0 ? this : throw new NftablesException(
        $"nft failed to {action} (exit code {ExitCode}): {StandardError.Trim()}", CommandLine, ExitCode, StandardError);
}
