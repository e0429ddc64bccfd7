namespace VirtualNetworking.Core.Host;

/// <summary>The systemd unit that starts autostart networks at boot (libvirt's driver autostart).</summary>
public static class BootUnit
{
    public const string FileName = "virtualnetworking.service";

    /// <summary>Runs an installed pwsh (never a repository's local tool) with the module's installed path.</summary>
    public static string Render(string pwshPath, string moduleManifestPath) =>
        $"""
        [Unit]
        Description=VirtualNetworking: start autostart virtual networks
        After=network-pre.target
        Before=network.target
        Wants=network-pre.target

        [Service]
        Type=oneshot
        RemainAfterExit=yes
        ExecStart={Quote(pwshPath)} -NoProfile -NonInteractive -Command "Import-Module '{moduleManifestPath.Replace("'", "''")}'; Start-VNetwork -Autostart"

        [Install]
        WantedBy=multi-user.target

        """;

    private static string Quote(string path) => path.Contains(' ') ? $"\"{path}\"" : path;
}
