namespace VirtualNetworking.Core.Ports;

/// <summary>
/// The host's service manager, for the unit that starts autostart networks at boot. Failures throw
/// NetworkProblemException.
/// </summary>
public interface IBootUnitHost
{
    /// <summary>Whether systemd runs this host (sd_booted); no unit is written otherwise.</summary>
    bool HasSystemd();
    /// <summary>An installed pwsh the unit can run (never a repository's local tool); null when there is none.</summary>
    string? FindPwsh();
    /// <summary>The places <see cref="FindPwsh"/> looks, for a message when it finds none.</summary>
    IReadOnlyList<string> PwshLocations { get; }
    /// <summary>The module manifest of the loaded module, which the unit imports.</summary>
    string ModuleManifestPath { get; }
    /// <summary>Where the unit is written, for messages and confirmation.</summary>
    string UnitPath { get; }
    /// <summary>The unit's text as installed; null when there is none.</summary>
    string? ReadUnit();
    void WriteUnit(string text);
    bool IsEnabled();
    /// <summary>What systemctl enable does, without asking a running systemd.</summary>
    void Enable();
}
