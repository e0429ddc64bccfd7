namespace VirtualNetworking.Core.Problems;

/// <summary>Error categories of Core, mapped one to one onto PowerShell's ErrorCategory by the cmdlets.</summary>
public enum ProblemCategory
{
    InvalidArgument,
    InvalidData,
    ResourceExists,
    ObjectNotFound,
    ResourceUnavailable,
    ResourceBusy,
    InvalidOperation,
    PermissionDenied,
    LimitsExceeded,
    SecurityError,
    NotImplemented,
    ReadError,
    WriteError,
    /// <summary>A failure of unknown kind (a defect).</summary>
    NotSpecified,
}

/// <summary>One thing wrong with a request or definition. ErrorId is public contract: never rename one.</summary>
public sealed record NetworkProblem(string ErrorId, ProblemCategory Category, string Message, object? Target = null);

/// <summary>Thrown by Core when a request cannot proceed; carries every problem found, not just the first.</summary>
public sealed class NetworkProblemException : Exception
{
    public NetworkProblemException(IReadOnlyList<NetworkProblem> problems)
        : base(string.Join(Environment.NewLine, problems.Select(p => p.Message)))
    {
        if (problems.Count == 0) throw new ArgumentException("At least one problem is required.", nameof(problems));
        Problems = problems;
    }

    public NetworkProblemException(NetworkProblem problem) : this(new[] { problem }) { }

    public NetworkProblemException(string errorId, ProblemCategory category, string message, object? target = null)
        : this(new NetworkProblem(errorId, category, message, target)) { }

    public IReadOnlyList<NetworkProblem> Problems { get; }
    public NetworkProblem First => Problems[0];
}
