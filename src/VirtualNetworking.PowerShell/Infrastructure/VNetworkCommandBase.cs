using System.Management.Automation;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>Turns Core's problems into error records with stable ErrorIds and the right category.</summary>
public abstract class VNetworkCommandBase : PSCmdlet
{
    /// <summary>One failed item: every problem becomes an error record; the pipeline goes on.</summary>
    protected void WriteProblems(NetworkProblemException exception)
    {
        foreach (var problem in exception.Problems)
            WriteError(ToErrorRecord(problem, exception));
    }

    /// <summary>Nothing can proceed: all problems but the last are written, the last terminates.</summary>
    protected void ThrowProblems(NetworkProblemException exception)
    {
        for (var i = 0; i < exception.Problems.Count - 1; i++)
            WriteError(ToErrorRecord(exception.Problems[i], exception));
        ThrowTerminatingError(ToErrorRecord(exception.Problems[^1], exception));
    }

    /// <summary>Warnings carry their id in front, so scripts can match on it.</summary>
    protected void WriteWarnings(IEnumerable<NetworkProblem> warnings)
    {
        foreach (var warning in warnings) WriteWarning($"{warning.ErrorId}: {warning.Message}");
    }

    /// <summary>A -MacAddress filter in canonical form (null = none); false after reporting a malformed one.</summary>
    protected bool TryMacFilter(string? text, out string? mac)
    {
        mac = null;
        if (text is null || Core.Addressing.MacAddressText.TryNormalize(text, out mac)) return true;
        WriteProblem("VNetworkMacAddressInvalid", ProblemCategory.InvalidArgument,
            $"'{text}' is not a MAC address. Write six hex pairs separated by ':', e.g. 52:54:00:12:34:56.", text);
        return false;
    }

    protected void WriteProblem(string errorId, ProblemCategory category, string message, object? target) =>
        WriteProblems(new NetworkProblemException(errorId, category, message, target));

    internal static ErrorRecord ToErrorRecord(NetworkProblem problem, Exception? inner = null) =>
        new(new VNetworkException(problem, inner), problem.ErrorId, ToErrorCategory(problem.Category), problem.Target);

    internal static ErrorCategory ToErrorCategory(ProblemCategory category) => category switch
    {
        ProblemCategory.InvalidArgument => ErrorCategory.InvalidArgument,
        ProblemCategory.InvalidData => ErrorCategory.InvalidData,
        ProblemCategory.ResourceExists => ErrorCategory.ResourceExists,
        ProblemCategory.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ProblemCategory.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ProblemCategory.ResourceBusy => ErrorCategory.ResourceBusy,
        ProblemCategory.InvalidOperation => ErrorCategory.InvalidOperation,
        ProblemCategory.PermissionDenied => ErrorCategory.PermissionDenied,
        ProblemCategory.LimitsExceeded => ErrorCategory.LimitsExceeded,
        ProblemCategory.SecurityError => ErrorCategory.SecurityError,
        ProblemCategory.NotImplemented => ErrorCategory.NotImplemented,
        ProblemCategory.ReadError => ErrorCategory.ReadError,
        ProblemCategory.WriteError => ErrorCategory.WriteError,
        _ => ErrorCategory.NotSpecified,
    };
}

/// <summary>The exception inside every VirtualNetworking error record; carries the Core problem.</summary>
public sealed class VNetworkException : Exception
{
    internal VNetworkException(NetworkProblem problem, Exception? inner) : base(problem.Message, inner) => Problem = problem;

    public NetworkProblem Problem { get; }
}
