using VirtualNetworking.Platform;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Host;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Linux.Boot;

/// <summary>
/// The boot unit under systemd: written to etc/systemd/system and enabled by the link systemctl enable makes,
/// without asking a running systemd (so a VNET_ROOT sandbox works the same). Paths are under the state root.
/// </summary>
public sealed class SystemdBootUnitHost(StatePaths paths, string moduleManifestPath) : IBootUnitHost
{
    private static readonly string[] PwshCandidates = ["/usr/bin/pwsh", "/usr/local/bin/pwsh", "/opt/microsoft/powershell/7/pwsh"];

    public string ModuleManifestPath => moduleManifestPath;

    public string UnitPath => Path.Combine(paths.Root, "etc/systemd/system", BootUnit.FileName);

    private string WantsLink => Path.Combine(paths.Root, "etc/systemd/system/multi-user.target.wants", BootUnit.FileName);

    public IReadOnlyList<string> PwshLocations => PwshCandidates;

    /// <summary>sd_booted(): systemd is PID 1 when this directory exists.</summary>
    public bool HasSystemd() => Directory.Exists(Path.Combine(paths.Root, "run/systemd/system"));

    public string? FindPwsh() => PwshCandidates.FirstOrDefault(File.Exists);

    public string? ReadUnit() => Files($"read {UnitPath}", () => File.Exists(UnitPath) ? File.ReadAllText(UnitPath) : null);

    public void WriteUnit(string text) => Files($"write {UnitPath}", () =>
    {
        AtomicFile.WriteAllText(UnitPath, text);
        return 0;
    });

    public bool IsEnabled() => new FileInfo(WantsLink).LinkTarget is not null;

    public void Enable() => Files($"enable {BootUnit.FileName}", () =>
    {
        Directory.CreateDirectory(Path.GetDirectoryName(WantsLink)!);
        File.CreateSymbolicLink(WantsLink, Path.Combine("/etc/systemd/system", BootUnit.FileName));
        return 0;
    });

    private static T Files<T>(string what, Func<T> action)
    {
        try { return action(); }
        catch (UnauthorizedAccessException e)
        {
            throw new NetworkProblemException(ErrorIds.PermissionDenied, ProblemCategory.PermissionDenied,
                $"Cannot {what}: {e.Message} Installing the boot unit needs root: run pwsh as root.", what);
        }
        catch (IOException e)
        {
            throw new NetworkProblemException(ErrorIds.HostOperationFailed, ProblemCategory.WriteError, $"Cannot {what}: {e.Message}", what);
        }
    }
}
