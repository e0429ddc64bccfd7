using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking.Core.GuestPorts;

/// <summary>What New-VNetworkPort asks for. Null = allocate (name from vnet%d, MAC 52:54:00:xx:xx:xx).</summary>
public sealed record PortRequest(
    string Network,
    PortType Type,
    string? Name = null,
    string? MacAddress = null,
    string? Owner = null,
    PortNamespace? Namespace = null,
    string? GuestInterfaceName = null,
    IPAddress? IPAddress = null);

/// <summary>
/// A port with its link as the host has it now (null: the link is gone, e.g. its container ended) and the guest's
/// address: its reservation, else its current DHCP lease.
/// </summary>
public sealed record PortStatus(NetworkPort Port, LinkState? Link, IPAddress? IPAddress = null)
{
    public PortState State => Link switch
    {
        null => PortState.Missing,
        { IsUp: false } => PortState.Down,
        { HasCarrier: false } => PortState.NoCarrier,
        _ => PortState.Up,
    };
}

/// <summary>Missing: the record is there but the link is gone; NoCarrier: up, but no guest has opened it yet.</summary>
public enum PortState
{
    Up,
    NoCarrier,
    Down,
    Missing,
}

/// <summary>
/// libvirt's net-port-create / net-port-list / net-port-delete, for taps (QEMU) and veths (containers). Every
/// check runs before the host changes; the record is written before the link, so a killed creation is
/// cleaned up by the network's stop; Stop-VNetwork removes a network's ports, Restart-VNetwork re-attaches them.
/// </summary>
public sealed class PortService(EnginePorts ports, NetworkCatalog catalog, ReservationService reservations)
{
    private readonly ILiveNetworkStore live = ports.LiveNetworks;
    private readonly IPortRecordStore records = ports.PortRecords;
    private readonly IHostLinks host = ports.Links;
    private readonly IGuestLinks guestLinks = ports.GuestLinks;
    private readonly IHostUsers users = ports.Users;
    private readonly IDhcpService dhcp = ports.Dhcp;
    private readonly IRandomSource random = ports.Random;

    public const string DefaultNameTemplate = "vnet%d";
    public const string DefaultGuestInterfaceName = "eth0";
    /// <summary>Enough ids for thousands of guests on one host.</summary>
    private const int MaxPortId = 65535;

    /// <summary>Creates the port; returns it with its link as created.</summary>
    public PortStatus Create(PortRequest request)
    {
        CheckRequest(request);
        // An unknown network is told as such to anyone; only then does the caller's right to change links matter.
        if (catalog.Find(request.Network) is null) throw NetworkCatalog.NotFound(request.Network);
        users.EnsureCanChange();
        NetworkPort port;
        bool reuseReservation;
        using (live.Lock())
        {
            var network = live.Load(request.Network) is { Active: true } running ? running.Definition
                : throw (catalog.Find(request.Network) is null ? NetworkCatalog.NotFound(request.Network) : NetworkRuntime.NotActive(request.Network));
            var bridge = network.Bridge?.Name is { } b && host.GetLink(b) is not null ? b
                : throw new NetworkProblemException(ErrorIds.BridgeNotFound, ProblemCategory.ObjectNotFound,
                    $"Network '{request.Network}' has no bridge on the host to attach a port to. Restart it with Restart-VNetwork.", request.Network);
            var name = PortName(request, records.PortNames());
            var mac = GuestMac(request, live.LoadAll().Select(n => n.Definition.MacAddress));
            uint? owner = request.Owner is null ? null : users.FindUser(request.Owner) ?? throw new NetworkProblemException(
                ErrorIds.PortOwnerNotFound, ProblemCategory.ObjectNotFound,
                $"There is no user '{request.Owner}' on this host. Give the user name or uid that QEMU runs as.", request.Owner);
            reuseReservation = request.IPAddress is { } ip && reservations.List(request.Network).Any(r => r.MacAddress == mac && r.IPAddress.Equals(ip));
            if (request.IPAddress is { } wanted && !reuseReservation) reservations.CheckAdd(request.Network, mac, wanted);

            port = new NetworkPort(request.Network, name, request.Type, mac, HostEndMac(mac), bridge, owner,
                request.Namespace, request.Type == PortType.Veth ? request.GuestInterfaceName ?? DefaultGuestInterfaceName : null,
                reuseReservation ? null : request.IPAddress);
            records.SavePort(port);
            try
            {
                if (port.Type == PortType.Tap) guestLinks.CreateTapPort(name, port.HostMacAddress, bridge, owner);
                else guestLinks.CreateVethPort(name, port.HostMacAddress, bridge, port.Namespace!, port.GuestInterfaceName!, mac);
            }
            catch
            {
                records.DeletePort(port.Network, port.Name);
                throw;
            }
        }
        // The reservation goes through the running network's DHCP, which takes the live lock itself.
        if (port.ReservedAddress is { } address)
        {
            try { reservations.Add(port.Network, port.MacAddress, duid: null, address, null); }
            catch
            {
                RemoveLink(port);
                throw;
            }
        }
        return new PortStatus(port, host.GetLink(port.Name), request.IPAddress);
    }

    /// <summary>Ports of one network (or all), with their links and addresses; the host and each network's leases are read once.</summary>
    public IReadOnlyList<PortStatus> List(string? network)
    {
        if (network is not null && catalog.Find(network) is null) throw NetworkCatalog.NotFound(network);
        var ports = records.LoadPorts(network);
        if (ports.Count == 0) return Array.Empty<PortStatus>();
        var links = host.GetLinkStates().ToDictionary(l => l.Name, StringComparer.Ordinal);
        var addresses = ports.Select(p => p.Network).Distinct().ToDictionary(n => n, GuestAddresses, StringComparer.Ordinal);
        return ports.Select(p => new PortStatus(p, links.GetValueOrDefault(p.Name), addresses[p.Network].GetValueOrDefault(p.MacAddress))).ToList();
    }

    /// <summary>MAC → address on a network: bound leases, overridden by reservations (what the guest gets next).</summary>
    private Dictionary<string, IPAddress> GuestAddresses(string network)
    {
        var byMac = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        foreach (var lease in dhcp.ReadLeases(network).Where(l => l.State == DhcpLeaseState.Bound))
            byMac[MacAddressText.Format(lease.HardwareAddress.GetAddressBytes())] = lease.Address;
        if (catalog.Find(network) is { } record)
            foreach (var reserved in DhcpReservations.List(record.Definition))
                if (reserved.MacAddress is { } mac) byMac[mac] = reserved.IPAddress;
        return byMac;
    }

    /// <summary>Deletes the port's link (a veth's peer goes with it) and the reservation it made.</summary>
    public NetworkPort Remove(string network, string name)
    {
        users.EnsureCanChange();
        NetworkPort port;
        using (live.Lock())
        {
            port = records.LoadPorts(network).FirstOrDefault(p => p.Name == name) ?? throw NotFound(network, name);
            RemoveLink(port);
        }
        if (port.ReservedAddress is { } address && catalog.Find(network) is not null &&
            reservations.List(network).Any(r => r.MacAddress == port.MacAddress && r.IPAddress.Equals(address)))
            reservations.Remove(network, port.MacAddress, duid: null, address);
        return port;
    }

    public static NetworkProblemException NotFound(string network, string name) =>
        new(ErrorIds.PortNotFound, ProblemCategory.ObjectNotFound,
            $"Network '{network}' has no port '{name}'. Run Get-VNetworkPort to see its ports.", name);

    private void RemoveLink(NetworkPort port)
    {
        host.DeleteLink(port.Name);
        records.DeletePort(port.Network, port.Name);
    }

    /// <summary>What can be told from the request alone: checked before anything is read or changed.</summary>
    private static void CheckRequest(PortRequest request)
    {
        var problems = new List<NetworkProblem>();
        void Invalid(string id, string message, object? target) => problems.Add(new NetworkProblem(id, ProblemCategory.InvalidArgument, message, target));
        if (request.Name is { } name && InterfaceName.Problem(name, allowTemplate: true) is { } nameProblem)
            Invalid(ErrorIds.PortNameInvalid, $"'{name}' cannot be a port name: {nameProblem}. Use a name such as vnet7, or a template with one %d.", name);
        if (request.MacAddress is { } text && !(MacAddressText.TryNormalize(text, out var mac) && !MacAddressText.IsMulticast(mac) && mac != "00:00:00:00:00:00"))
            Invalid(ErrorIds.MacAddressInvalid, $"'{text}' is not a unicast MAC address. Write six hex pairs separated by ':', e.g. 52:54:00:12:34:56 (first octet even).", text);
        if (request.Type == PortType.Veth)
        {
            if (request.Namespace is null)
                Invalid(ErrorIds.PortNamespaceRequired, "A veth port needs -Namespace: the name, path or process of the container's network namespace.", request.Network);
            if (request.Owner is not null)
                Invalid(ErrorIds.PortParameterInvalid, "-Owner applies to taps only: a veth's far end belongs to the namespace it is moved into.", request.Owner);
            if (request.GuestInterfaceName is { } guest && InterfaceName.Problem(guest, allowTemplate: false) is { } guestProblem)
                Invalid(ErrorIds.PortNameInvalid, $"'{guest}' cannot be the guest's interface name: {guestProblem}.", guest);
        }
        else
        {
            if (request.Namespace is not null)
                Invalid(ErrorIds.PortParameterInvalid, "-Namespace and -ProcessId apply to veth ports only; a tap stays on the host for QEMU to open. Use -Type Veth for a container.", request.Namespace.Display);
            if (request.GuestInterfaceName is not null)
                Invalid(ErrorIds.PortParameterInvalid, "-GuestInterfaceName applies to veth ports only; QEMU names a tap guest's NIC itself.", request.GuestInterfaceName);
        }
        if (problems.Count > 0) throw new NetworkProblemException(problems);
    }

    /// <summary>
    /// The requested name, or the lowest free one of the template. Free = no port record and no host link; links
    /// are looked up one name at a time (a dump of every link would make each port cost more than the last).
    /// </summary>
    private string PortName(PortRequest request, IReadOnlySet<string> records)
    {
        var used = new HashSet<string>(records, StringComparer.Ordinal);
        var requested = request.Name ?? DefaultNameTemplate;
        if (AddressPlanner.IsTemplate(requested))
        {
            while (AddressPlanner.AllocateInterfaceName(requested, used, MaxPortId) is { } candidate)
            {
                if (host.GetLink(candidate) is null) return candidate;
                used.Add(candidate);
            }
            throw new NetworkProblemException(ErrorIds.PortNamesExhausted, ProblemCategory.LimitsExceeded,
                $"No free port name for template '{requested}' (ids 0 to {MaxPortId} are taken). Give an explicit -Name.", requested);
        }
        if (used.Contains(requested) || host.GetLink(requested) is not null)
            throw new NetworkProblemException(ErrorIds.PortNameInUse, ProblemCategory.ResourceExists,
                $"A link named '{requested}' already exists on the host. Choose another -Name, or omit it to get a free vnetN.", requested);
        return requested;
    }

    /// <summary>
    /// The guest's MAC, unique among ports and bridges; allocated like libvirt's (52:54:00 + 3 random bytes). A MAC
    /// the user gives is also checked against every host link.
    /// </summary>
    private string GuestMac(PortRequest request, IEnumerable<string?> bridgeMacs)
    {
        var bridges = bridgeMacs.OfType<string>().ToHashSet(StringComparer.Ordinal);
        bool Taken(string mac) => bridges.Contains(mac) || records.PortMacTaken(mac);
        if (request.MacAddress is { } text)
        {
            MacAddressText.TryNormalize(text, out var mac);
            if (Taken(mac!) || host.GetLinkStates().Any(l => l.MacAddress == mac))
                throw new NetworkProblemException(ErrorIds.PortMacInUse, ProblemCategory.ResourceExists,
                    $"MAC address {mac} is already used on this host (by a link, a port or a network's bridge). Give another -MacAddress, or omit it to get a free one.", text);
            return mac!;
        }
        Span<byte> bytes = stackalloc byte[6];
        while (true)
        {
            bytes[0] = 0x52; bytes[1] = 0x54; bytes[2] = 0x00;
            random.Fill(bytes[3..]);
            var candidate = MacAddressText.Format(bytes);
            if (!Taken(candidate)) return candidate;
        }
    }

    /// <summary>libvirt gives the host end of a guest's link fe: in place of the first octet, so a bridge never takes the guest's MAC.</summary>
    public static string HostEndMac(string guestMac) => "fe" + guestMac[2..];
}
