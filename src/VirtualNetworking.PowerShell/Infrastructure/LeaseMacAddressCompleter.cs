using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>Tab completion of the MAC addresses of current leases, of the networks given with -Network (else every active network).</summary>
public sealed class LeaseMacAddressCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ArgumentCompletion.Complete(wordToComplete, () =>
        {
            var leases = ModuleContext.Leases();
            return (ArgumentCompletion.Networks(fakeBoundParameters) ?? leases.ActiveNetworks())
                .SelectMany(network => leases.List(network, null)).Select(l => l.MacAddress).OfType<string>();
        });
}
