using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>Tab completion of the host's bridge names, of the networks given with -Network when there are any.</summary>
public sealed class BridgeNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ArgumentCompletion.Complete(wordToComplete, () =>
            ModuleContext.Bridges().List(_ => true, ArgumentCompletion.Networks(fakeBoundParameters)).Bridges.Select(b => b.Bridge.Name));
}
