namespace VirtualNetworking.Linux.Nftables;

/// <summary>nft refused a change (or libnftables could not be loaded). Carries what is needed to reproduce it by hand.</summary>
public sealed class NftablesException : Exception
{
    public NftablesException(string message, string commandLine, int? exitCode, string standardError, Exception? inner = null)
        : base(message, inner)
    {
        CommandLine = commandLine;
        ExitCode = exitCode;
        StandardError = standardError;
    }

    /// <summary>The nft command line that replays it, e.g. "nft -j -f -" with the JSON transaction on stdin.</summary>
    public string CommandLine { get; }
    /// <summary>1 when nft refused; null when libnftables could not be loaded.</summary>
    public int? ExitCode { get; }
    public string StandardError { get; }
}
