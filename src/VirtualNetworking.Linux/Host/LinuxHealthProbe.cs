using System.Diagnostics;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Linux.Dhcp;
using VirtualNetworking.Linux.Nftables;

namespace VirtualNetworking.Linux.Host;

/// <summary>Test-VNetworkHealth's facts on this host: the daemon's status, libnftables' ruleset, legacy iptables.</summary>
public sealed class LinuxHealthProbe(DaemonDhcpService daemon) : IHealthProbe
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    public IReadOnlyList<ServedNetwork>? DaemonNetworks()
    {
        try
        {
            if (daemon.Ping() is null) return null;
            return [.. daemon.GetStatus().Select(s => new ServedNetwork(s.Name, s.Bridge, s.InterfaceIndex, s.Statistics is not null, s.Dns is not null,
                s.RouterAdvertisements is not null, s.Dhcp6 is not null))];
        }
        catch (DhcpDaemonException) { return null; } // another namespace's daemon, or one that stopped answering: none serves here
    }

    public string? Ruleset()
    {
        try
        {
            var result = Libnftables.Instance.Run("list ruleset");
            return result.ExitCode == 0 ? result.StandardOutput : null;
        }
        catch (NftablesException) { return null; }
    }

    /// <summary>Legacy saves only when the kernel holds legacy (x_tables) tables: a spawn each, so not on every host.</summary>
    public IptablesSaves Iptables(bool nftV4, bool nftV6) => new(
        nftV4 ? Save("iptables-nft-save") : null,
        nftV6 ? Save("ip6tables-nft-save") : null,
        HasTables("/proc/net/ip_tables_names") ? Save("iptables-legacy-save") : null,
        HasTables("/proc/net/ip6_tables_names") ? Save("ip6tables-legacy-save") : null);

    private static bool HasTables(string path)
    {
        try { return File.Exists(path) && File.ReadAllText(path).Trim().Length > 0; }
        catch (IOException) { return false; }
    }

    private static string? Save(string command)
    {
        var path = new[] { "/usr/sbin", "/sbin", "/usr/bin" }.Select(d => Path.Combine(d, command)).FirstOrDefault(File.Exists);
        if (path is null) return null;
        try
        {
            using var process = Process.Start(new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEndAsync();
            process.StandardError.ReadToEnd();
            if (!process.WaitForExit(CommandTimeout)) { process.Kill(); return null; }
            return process.ExitCode == 0 ? output.Result : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException) { return null; }
    }
}
