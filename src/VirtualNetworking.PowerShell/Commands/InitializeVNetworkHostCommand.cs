using System.Management.Automation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Linux.Store;
using VirtualNetworking.PowerShell.Infrastructure;

namespace VirtualNetworking.PowerShell.Commands;

/// <summary>
/// First-run setup, idempotent: the 'default' NAT network (virbr0, 192.168.122.0/24 unless taken, DHCP .2-.254),
/// autostarted and started, and a boot unit where systemd runs.
/// </summary>
[Cmdlet(VerbsData.Initialize, "VNetworkHost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VNetwork))]
public sealed class InitializeVNetworkHostCommand : VNetworkCommandBase
{
    private const string DefaultNetwork = NetworkCatalog.DefaultNetworkName;

    protected override void EndProcessing()
    {
        try
        {
            var catalog = ModuleContext.Catalog();
            var existing = catalog.Find(DefaultNetwork);
            if (existing is null && ShouldProcess(DefaultNetwork, "Define the default NAT network"))
                catalog.Create(catalog.DefaultNetworkRequest());
            if (existing is { Persistent: true, Autostart: false } && ShouldProcess(DefaultNetwork, "Mark the default network autostart"))
                catalog.Update(DefaultNetwork, _ => { }, autostart: true);
            if (catalog.Find(DefaultNetwork) is { State: NetworkState.Inactive } && ShouldProcess(DefaultNetwork, "Start the default network"))
                WriteWarnings(ModuleContext.Runtime().Start(DefaultNetwork));
            WriteBootUnit();
            if (catalog.Find(DefaultNetwork) is { } record) WriteObject(new VNetwork(record));
        }
        catch (NetworkProblemException e)
        {
            ThrowProblems(e);
        }
    }

    private void WriteBootUnit()
    {
        var paths = ModuleContext.Paths;
        if (!Directory.Exists(BootUnit.SystemdMarker(paths))) return;
        var pwsh = new[] { "/usr/bin/pwsh", "/usr/local/bin/pwsh", "/opt/microsoft/powershell/7/pwsh" }.FirstOrDefault(File.Exists);
        if (pwsh is null)
        {
            WriteWarning("VNetworkBootUnitSkipped: no installed pwsh was found (/usr/bin/pwsh, /usr/local/bin/pwsh, /opt/microsoft/powershell/7/pwsh), so no boot unit was written. Install PowerShell, then run Initialize-VNetworkHost again.");
            return;
        }
        var manifest = Path.Combine(Path.GetDirectoryName(typeof(InitializeVNetworkHostCommand).Assembly.Location)!, "VirtualNetworking.psd1");
        var text = BootUnit.Render(pwsh, manifest);
        var unit = BootUnit.UnitPath(paths);
        var wants = BootUnit.WantsLink(paths);
        var unitCurrent = File.Exists(unit) && File.ReadAllText(unit) == text;
        var enabled = new FileInfo(wants).LinkTarget is not null;
        if ((unitCurrent && enabled) || !ShouldProcess(unit, "Write and enable the boot unit that starts autostart networks")) return;
        if (!unitCurrent) AtomicFile.WriteAllText(unit, text);
        if (!enabled)
        {
            // What systemctl enable does, without asking a running systemd (VNET_ROOT may be a sandbox).
            Directory.CreateDirectory(Path.GetDirectoryName(wants)!);
            File.CreateSymbolicLink(wants, Path.Combine("/etc/systemd/system", BootUnit.FileName));
        }
    }
}
