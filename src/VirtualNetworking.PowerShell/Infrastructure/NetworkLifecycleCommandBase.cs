using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.PowerShell.Infrastructure;

/// <summary>Shared binding of Start-, Stop- and Restart-VNetwork: by name, by object, or every autostart network.</summary>
public abstract class NetworkLifecycleCommandBase : VNetworkCommandBase
{
    protected const string NameSet = "Name";
    protected const string InputObjectSet = "InputObject";
    protected const string AutostartSet = "Autostart";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public VNetwork[] InputObject { get; set; } = Array.Empty<VNetwork>();

    [Parameter(Mandatory = true, ParameterSetName = AutostartSet)]
    public SwitchParameter Autostart { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected abstract string Action { get; }

    /// <summary>Does the work for one network; returns the warnings to show.</summary>
    protected abstract IReadOnlyList<NetworkProblem> Act(string name);

    /// <summary>Which of the networks -Autostart covers this command acts on (by their state).</summary>
    protected abstract bool AutostartTakes(NetworkRecord record);

    protected override void ProcessRecord()
    {
        IEnumerable<string> names = ParameterSetName switch
        {
            InputObjectSet => InputObject.Select(n => n.Name),
            AutostartSet => ForAll(() => ModuleContext.Catalog().List().Where(r => r.Autostart && AutostartTakes(r)).Select(r => r.Definition.Name).ToList()),
            _ => Name,
        };
        foreach (var name in names)
        {
            if (!ShouldProcess(name, Action)) continue;
            ForTarget(name, () =>
            {
                WriteWarnings(Act(name));
                if (PassThru && ModuleContext.Catalog().Find(name) is { } record) WriteObject(new VNetwork(record));
            });
        }
    }
}
