using System.Net;
using System.Runtime.InteropServices;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Linux.Interop;
using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Linux.Host;

/// <summary>The calling process's namespace through rtnetlink; kernel errors become the module's problems.</summary>
public sealed class LinuxHostNetwork : IHostNetwork, IDisposable
{
    private readonly Lazy<RtnetlinkClient> netlink = new(() => new RtnetlinkClient());

    private RtnetlinkClient Client => netlink.Value;

    public void Dispose()
    {
        if (netlink.IsValueCreated) netlink.Value.Dispose();
    }

    /// <summary>CAP_NET_ADMIN (bit 12) in the effective set, from /proc/self/status: checked before any step, so a
    /// caller without it changes nothing at all (not even the DHCP daemon's state).</summary>
    public void EnsureCanChange()
    {
        const int CapNetAdmin = 12;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        if (line is null || !ulong.TryParse(line[7..].Trim(), System.Globalization.NumberStyles.HexNumber, null, out var caps)) return;
        if ((caps & (1UL << CapNetAdmin)) == 0)
            throw new NetworkProblemException("VNetworkPermissionDenied", ProblemCategory.PermissionDenied,
                "Changing the host's networks needs CAP_NET_ADMIN, which this process does not have. Run pwsh as root (sudo pwsh).");
    }

    public IReadOnlyList<HostLink> Links() => Client.GetLinks().Select(l => new HostLink(l.Index, l.Name)).ToList();

    public IReadOnlyList<HostAddress> Addresses() =>
        Client.GetAddresses().Select(a => new HostAddress(a.LinkIndex, new IpNetwork(a.Address, a.PrefixLength))).ToList();

    /// <summary>Unicast routes of every table but "local" (whose entries are the host's own addresses).</summary>
    public IReadOnlyList<HostRoute> Routes() =>
        Client.GetRoutes(includeLocalTable: false)
            .Where(r => r.Type == RouteType.Unicast)
            .Select(r => new HostRoute(r.OutputLinkIndex, new IpNetwork(r.Destination, r.PrefixLength)))
            .ToList();

    public string? LinkName(int index) => Client.GetLink(index)?.Name;

    public LinkState? GetLink(string name) => Client.GetLink(name) is { } l ? ToState(l) : null;

    public IReadOnlyList<LinkState> GetLinkStates() => Client.GetLinks().Select(ToState).ToList();

    public IReadOnlyList<LinkAddress> GetAddresses(int linkIndex) =>
        Client.GetAddresses().Where(a => a.LinkIndex == linkIndex)
            .Select(a => new LinkAddress(new IpNetwork(a.Address, a.PrefixLength), a.HasBroadcast)).ToList();

    public IReadOnlyList<RouteState> GetRoutes(int linkIndex) =>
        Client.GetRoutes(includeLocalTable: false)
            .Where(r => r.Table == RouteTable.Main && r.Type == RouteType.Unicast && r.OutputLinkIndex == linkIndex)
            .Select(r => new RouteState(new IpNetwork(r.Destination, r.PrefixLength), r.Gateway, r.OutputLinkIndex, r.Metric,
                IsKernelRoute: r.Protocol == RouteProtocol.Kernel))
            .ToList();

    public void CreateBridge(string name, string? macAddress, int? mtu, bool stp, TimeSpan forwardDelay) =>
        Do($"create bridge {name}", () => Client.CreateBridge(name, macAddress, mtu, stp, forwardDelay));

    /// <summary>Returns once the link is unlisted; the kernel frees it in the background (most of a deletion's time).</summary>
    public void DeleteLink(string name)
    {
        if (Client.GetLink(name) is not { } link) return;
        Do($"delete link {name}", () => Client.DeleteLinkUntilUnlisted(link.Index));
    }

    public void SetUp(string name) => Do($"set {name} up", () => Client.SetLinkUp(Index(name)));

    public void SetMaster(string name, string? master) =>
        Do(master is null ? $"release {name} from its bridge" : $"attach {name} to {master}",
            () => Client.SetMaster(Index(name), master is null ? 0 : Index(master)));

    public void AddAddress(string link, IpNetwork address, bool broadcast = true) =>
        Do($"add {address} to {link}", () => Client.AddAddress(Index(link), address.Address, address.PrefixLength, broadcast));

    public void DeleteAddress(string link, IpNetwork address) =>
        Do($"delete {address} from {link}", () => Client.DeleteAddress(Index(link), address.Address, address.PrefixLength));

    public void AddRoute(string link, IpNetwork destination, IPAddress? gateway, uint? metric) =>
        Do($"add route {destination} via {gateway?.ToString() ?? link}",
            () => Client.AddRoute(destination.Address, destination.PrefixLength, gateway, Index(link), metric));

    public void CreateTapPort(string name, string hostMacAddress, string bridge, uint? ownerUid)
    {
        var settings = PortSettings(hostMacAddress, bridge);
        Do($"create tap {name}", () => Client.CreateTap(name, ownerUid));
        try { Do($"attach tap {name} to {bridge}", () => Client.ConfigurePort(Index(name), settings)); }
        catch
        {
            DeleteLink(name);
            throw;
        }
    }

    public void CreateVethPort(string name, string hostMacAddress, string bridge, PortNamespace ns, string guestName, string guestMacAddress)
    {
        var settings = PortSettings(hostMacAddress, bridge) with { PeerUp = true };
        SafeHandle file;
        try { file = File.OpenHandle(ns.Path, FileMode.Open, FileAccess.Read); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new NetworkProblemException("VNetworkNamespaceNotFound", ProblemCategory.ObjectNotFound,
                $"There is no network namespace '{ns.Display}' ({ns.Path}). Give a name from 'ip netns list', a namespace file's path, or the id of a process inside it.", ns.Display);
        }
        using (file)
        {
            try { Client.CreateVeth(name, guestName, guestMacAddress, NetworkNamespaceTarget.FromFile(file), settings); }
            catch (NetlinkException e) when (e.Errno == Errno.EINVAL && Client.GetLink(name) is null)
            {
                throw new NetworkProblemException("VNetworkNamespaceNotFound", ProblemCategory.ObjectNotFound,
                    $"'{ns.Path}' is not a network namespace. Give a name from 'ip netns list', a namespace file's path, or the id of a process inside it.", ns.Display);
            }
            // The host end was free a moment ago (checked under the live lock), so the clash is the guest's name.
            catch (NetlinkException e) when (e.Errno == Errno.EEXIST && Client.GetLink(name) is null)
            {
                throw new NetworkProblemException("VNetworkGuestInterfaceInUse", ProblemCategory.ResourceExists,
                    $"Namespace '{ns.Display}' already has an interface named '{guestName}'. Give another -GuestInterfaceName.", guestName);
            }
            catch (NetlinkException e) { throw KernelProblem($"create veth {name} for namespace {ns.Display}", e); }
        }
    }

    public void AttachPort(string name, string bridge) =>
        Do($"attach {name} to {bridge}", () => Client.ConfigurePort(Index(name), PortSettings(null, bridge)));

    public uint? FindUser(string user)
    {
        if (uint.TryParse(user, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var uid)) return uid;
        var entry = LibC.GetPasswordEntry(user);
        return entry == 0 ? null : (uint)Marshal.ReadInt32(entry, LibC.PasswordEntryUidOffset);
    }

    /// <summary>A port takes the bridge's MTU, as libvirt's tap ports do, so it never lowers the bridge's.</summary>
    private LinkSettings PortSettings(string? macAddress, string bridge)
    {
        var master = Client.GetLink(bridge) ?? throw new NetworkProblemException("VNetworkLinkNotFound",
            ProblemCategory.ObjectNotFound, $"Bridge '{bridge}' does not exist on this host.", bridge);
        return new LinkSettings(macAddress, master.Mtu, master.Index, Up: true);
    }

    private int Index(string name) => Client.GetLink(name)?.Index ?? throw new NetworkProblemException("VNetworkLinkNotFound",
        ProblemCategory.ObjectNotFound, $"Link '{name}' does not exist on this host.", name);

    private static LinkState ToState(LinkInfo l) =>
        new(l.Index, l.Name, l.Kind, l.MacAddress, l.Mtu, l.IsUp, l.MasterIndex, HasCarrier: l.OperState is LinkOperState.Up or LinkOperState.Unknown);

    private static void Do(string what, Action action)
    {
        try { action(); }
        catch (NetlinkException e) { throw KernelProblem(what, e); }
    }

    private static NetworkProblemException KernelProblem(string what, NetlinkException e) => e.Errno is Errno.EPERM or Errno.EACCES
        ? new NetworkProblemException("VNetworkPermissionDenied", ProblemCategory.PermissionDenied,
            $"Cannot {what}: the kernel refused ({e.Message}). Changing the host's networks needs root (CAP_NET_ADMIN): run pwsh as root.", what)
        : new NetworkProblemException("VNetworkHostOperationFailed", ProblemCategory.InvalidOperation,
            $"Cannot {what}: {e.Message}", what);
}
