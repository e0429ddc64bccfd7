using System.Collections;
using System.Management.Automation;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>What every completer of this module shares: matching, quoting, and the -Network the user already typed.</summary>
internal static class ArgumentCompletion
{
    /// <summary>The candidates that start with what was typed (case-insensitive), quoted when they need it. Never throws.</summary>
    public static IEnumerable<CompletionResult> Complete(string wordToComplete, Func<IEnumerable<string>> candidates)
    {
        var pattern = WildcardPattern.Get(WildcardPattern.Escape(wordToComplete.Trim('\'', '"')) + "*", WildcardOptions.IgnoreCase);
        List<string> values;
        // Completion must never throw at the prompt: no store, no daemon or no permission completes nothing.
        try { values = [.. candidates().Where(pattern.IsMatch).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]; }
        catch (Exception) { return []; }
        return values.Select(value => new CompletionResult(Quoted(value), value, CompletionResultType.ParameterValue, value));
    }

    /// <summary>The networks named by -Network on the command line so far (null: none given, so every network).</summary>
    public static IReadOnlyList<string>? Networks(IDictionary fakeBoundParameters) =>
        fakeBoundParameters["Network"] switch
        {
            string one => [one],
            IEnumerable many => [.. many.Cast<object>().Select(o => o?.ToString()).OfType<string>()],
            _ => null,
        };

    private static string Quoted(string value) =>
        value.Any(c => char.IsWhiteSpace(c) || "'\"`$;,(){}[]&|<>#@".Contains(c)) ? "'" + value.Replace("'", "''") + "'" : value;
}
