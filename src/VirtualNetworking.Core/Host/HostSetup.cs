using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Host;

/// <summary>
/// One change first-run setup would make, for the caller to confirm (ShouldProcess) and then apply; or, with no
/// <see cref="Apply"/>, a warning about something setup leaves undone.
/// </summary>
public sealed record SetupStep(string Target, string Action, Func<IReadOnlyList<NetworkProblem>>? Apply, NetworkProblem? Warning = null)
{
    public static SetupStep Notice(NetworkProblem warning) => new(warning.Target?.ToString() ?? "", "", null, warning);
}

/// <summary>
/// Initialize-VNetworkHost, idempotent: the 'default' NAT network (virbr0, 192.168.122.0/24 unless taken, DHCP
/// .2-.254) defined, autostarted and started, and a boot unit where systemd runs. Each step is worked out after the
/// previous one was applied or declined, so a declined definition means no start either.
/// </summary>
public sealed class HostSetup(EnginePorts ports, NetworkCatalog catalog, NetworkRuntime runtime)
{
    private const string DefaultNetwork = NetworkCatalog.DefaultNetworkName;
    private readonly IBootUnitHost bootUnit = ports.BootUnit;

    public IEnumerable<SetupStep> Steps()
    {
        var existing = catalog.Find(DefaultNetwork);
        if (existing is null)
            yield return new SetupStep(DefaultNetwork, "Define the default NAT network", () =>
            {
                catalog.Create(catalog.DefaultNetworkRequest());
                return [];
            });
        if (existing is { Persistent: true, Autostart: false })
            yield return new SetupStep(DefaultNetwork, "Mark the default network autostart", () =>
            {
                catalog.UpdateDefinition(DefaultNetwork, _ => { }, autostart: true);
                return [];
            });
        if (catalog.Find(DefaultNetwork) is { State: NetworkState.Inactive })
            yield return new SetupStep(DefaultNetwork, "Start the default network", () => runtime.Start(DefaultNetwork));
        if (BootUnitStep() is { } step) yield return step;
    }

    /// <summary>The default network as setup left it; null when its definition was declined.</summary>
    public NetworkRecord? DefaultNetworkRecord() => catalog.Find(DefaultNetwork);

    /// <summary>Write the unit unless it is current, enable it unless it is; nothing where systemd does not run.</summary>
    private SetupStep? BootUnitStep()
    {
        if (!bootUnit.HasSystemd()) return null;
        if (bootUnit.FindPwsh() is not { } pwsh)
            return SetupStep.Notice(new NetworkProblem(ErrorIds.BootUnitSkipped, ProblemCategory.ResourceUnavailable,
                $"No installed pwsh was found ({string.Join(", ", bootUnit.PwshLocations)}), so no boot unit was written. Install PowerShell, then run Initialize-VNetworkHost again.",
                bootUnit.UnitPath));
        var text = BootUnit.Render(pwsh, bootUnit.ModuleManifestPath);
        var current = bootUnit.ReadUnit() == text;
        var enabled = bootUnit.IsEnabled();
        if (current && enabled) return null;
        return new SetupStep(bootUnit.UnitPath, "Write and enable the boot unit that starts autostart networks", () =>
        {
            if (!current) bootUnit.WriteUnit(text);
            if (!enabled) bootUnit.Enable();
            return [];
        });
    }
}
