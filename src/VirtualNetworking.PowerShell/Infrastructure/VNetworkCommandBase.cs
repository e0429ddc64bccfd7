using System.Management.Automation;
using VirtualNetworking.Core.Health;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>
/// The one path from Core's problems to error records and warnings: every cmdlet does its work per target through
/// <see cref="ForTarget"/> (a failure is that target's error record; the pipeline goes on) or, for what nothing can
/// proceed without, through <see cref="ForAll{T}"/> (a failure terminates). Anything else an adapter lets escape
/// becomes an error record with an ErrorId too, never a raw exception.
/// </summary>
public abstract class VNetworkCommandBase : PSCmdlet
{
    /// <summary>One target's work: its problems are written as error records against it, and the command goes on.</summary>
    protected void ForTarget(object? target, Action work)
    {
        try { work(); }
        catch (NetworkProblemException e) { WriteProblems(e.Problems.Select(p => p.Target is null ? p with { Target = target } : p), e); }
        catch (Exception e) when (IsUnexpected(e)) { WriteError(ToErrorRecord(Unexpected(e, target), e)); }
    }

    /// <summary>What the whole command needs (the list of networks, say): a failure terminates it.</summary>
    protected T ForAll<T>(Func<T> work)
    {
        try { return work(); }
        catch (NetworkProblemException e)
        {
            for (var i = 0; i < e.Problems.Count - 1; i++) WriteError(ToErrorRecord(e.Problems[i], e));
            ThrowTerminatingError(ToErrorRecord(e.Problems[^1], e));
        }
        catch (Exception e) when (IsUnexpected(e)) { ThrowTerminatingError(ToErrorRecord(Unexpected(e, null), e)); }
        throw new InvalidOperationException("unreachable: ThrowTerminatingError returned");
    }

    /// <summary>Problems found without an exception (one per requested target that failed a check).</summary>
    protected void WriteProblems(IEnumerable<NetworkProblem> problems, Exception? cause = null)
    {
        foreach (var problem in problems) WriteError(ToErrorRecord(problem, cause));
    }

    /// <summary>Warnings carry their id in front, so scripts can match on it.</summary>
    protected void WriteWarnings(IEnumerable<NetworkProblem> warnings)
    {
        foreach (var warning in warnings) WriteWarning($"{warning.ErrorId}: {warning.Message}");
    }

    /// <summary>A filter parameter (-MacAddress, -Duid) parsed to its canonical form (null: none); false after reporting a malformed one.</summary>
    protected bool TryFilter<T>(string? text, Func<string, T> parse, out T? value) where T : class
    {
        T? parsed = null;
        var valid = text is null;
        if (text is not null)
            ForTarget(text, () =>
            {
                parsed = parse(text);
                valid = true;
            });
        value = parsed;
        return valid;
    }

    /// <summary>A parameter bound from a pipeline object may be empty where it means "none" (a CSV's empty column).</summary>
    protected static string? Given(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>Whether the parameter was given (to tell "not given" from a default value).</summary>
    /// <summary>
    /// -Name of the health cmdlets: none = every active network; a pattern = the defined networks it matches (none is
    /// no error); a plain name stays as it is, so an unknown one is reported by the work on it.
    /// </summary>
    protected IReadOnlyList<string> NetworkNames(string[]? names, NetworkHealth health) =>
        names is null ? ForAll(health.ActiveNetworks)
            : [.. names.SelectMany(n => WildcardPattern.ContainsWildcardCharacters(n)
                ? ForAll(health.KnownNetworks).Where(WildcardPattern.Get(n, WildcardOptions.None).IsMatch)
                : [n])];

    protected bool IsBound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    /// <summary>PowerShell's own flow control (a stopped pipeline, -ErrorAction Stop) passes through untouched.</summary>
    private static bool IsUnexpected(Exception e) => e is not (RuntimeException or HaltCommandException);

    /// <summary>
    /// The last resort for a failure no adapter turned into a problem: access and I/O errors get the ids a user can
    /// act on; anything else is a defect, reported with its type so it can be fixed.
    /// </summary>
    private static NetworkProblem Unexpected(Exception e, object? target) => e switch
    {
        UnauthorizedAccessException => new(ErrorIds.PermissionDenied, ProblemCategory.PermissionDenied,
            $"{e.Message} Run pwsh as root, or set VNET_ROOT to a folder you own.", target),
        IOException => new(ErrorIds.HostOperationFailed, ProblemCategory.ReadError, $"{e.Message}", target),
        _ => new(ErrorIds.InternalError, ProblemCategory.NotSpecified,
            $"VirtualNetworking failed unexpectedly ({e.GetType().Name}: {e.Message}). This is a defect: please report it with this message.", target),
    };

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
