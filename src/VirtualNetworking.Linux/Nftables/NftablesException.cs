namespace VirtualNetworking.Linux.Nftables;

/// <summary>nft failed (or could not be run). Carries what is needed to reproduce it by hand.</summary>
public sealed class NftablesException : Exception
{
    public NftablesException(string message, string commandLine, int? exitCode, string standardError, Exception? inner = null)
        : base(message, inner)
    {
        CommandLine = commandLine;
        ExitCode = exitCode;
        StandardError = standardError;
    }

    /// <summary>e.g. "/usr/sbin/nft -j -f -".</summary>
    public string CommandLine { get; }
    /// <summary>Null when nft could not be started or did not finish.</summary>
    public int? ExitCode { get; }
    public string StandardError { get; }
}
