using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Validation;

/// <summary>libvirt's define-time rules (network_conf.c parse + validate), every problem at once.</summary>
public static partial class NetworkValidator
{
    /// <summary>The store writes NAME.xml; file names are at most 255 bytes, this leaves room for suffixes.</summary>
    public const int MaxNameBytes = 200;

    public static IReadOnlyList<NetworkProblem> Validate(NetworkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var check = new Checker(definition);
        check.Identity();
        check.Forward();
        check.BridgeMacMtu();
        check.Ips();
        check.Routes();
        check.DomainAndDns();
        check.PortForwards();
        return check.Problems;
    }

    /// <summary>
    /// What adding <paramref name="forward"/> to the (valid) definition would break: the same rules as
    /// <see cref="Validate"/>, but checking the new forward alone and against each forward there (linear, not pairwise).
    /// </summary>
    public static IReadOnlyList<NetworkProblem> ValidateNewPortForward(NetworkDefinition definition, PortForwardDefinition forward)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(forward);
        var check = new Checker(definition);
        check.NewPortForward(forward);
        return check.Problems;
    }

    /// <summary>Collects problems for one definition; the partial files add the rules per element.</summary>
    private sealed partial class Checker(NetworkDefinition definition)
    {
        private readonly List<NetworkProblem> problems = new();
        private readonly string name = definition.Name;
        private readonly string modeName = NetworkModeNames.ToLibvirt(definition.Mode) ?? "none";

        public IReadOnlyList<NetworkProblem> Problems => problems;

        private bool Managed => NetworkModeNames.IsManagedBridge(definition.Mode);

        private void Add(string errorId, string message, object? target = null) =>
            problems.Add(new NetworkProblem(errorId, ProblemCategory.InvalidData, message, target ?? (name.Length == 0 ? null : name)));

        public void Identity()
        {
            if (name.Length == 0)
                Add(Ids.NameMissing, "The network has no name. Give it a name (e.g. 'default').");
            else if (name.Contains('\n') || name.Contains('/'))
                Add(Ids.NameInvalid, $"Network name '{name}' contains a newline or '/', which is not allowed. Choose a name without them.");
            else if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
                Add(Ids.NameTooLong, $"Network name '{name[..20]}…' is {Encoding.UTF8.GetByteCount(name)} bytes long; at most {MaxNameBytes} bytes (UTF-8) are allowed. Choose a shorter name.");
            if (definition.Title?.Contains('\n') == true)
                Add(Ids.TitleInvalid, $"Network title of '{name}' can't contain newlines. Put longer text into <description>.");
        }

        public void Forward()
        {
            var mode = definition.Mode;
            var forward = definition.Forward;
            if ((mode is NetworkMode.Nat or NetworkMode.Routed or NetworkMode.Open) && definition.Ips.Count == 0)
                Add(Ids.IpRequired, $"{modeName} forwarding requested, but no IP address provided for network '{name}'. Add an <ip address=… prefix=…> element.");
            if (forward is null) return;
            foreach (var duplicate in forward.Interfaces.GroupBy(i => i).Where(g => g.Count() > 1))
                Add(Ids.ForwardInterfaceInvalid, $"Forward interface '{duplicate.Key}' is listed more than once in network '{name}'. List each interface once.", duplicate.Key);
            if ((mode is NetworkMode.Nat or NetworkMode.Routed or NetworkMode.Open) && forward.Interfaces.Count > 1)
                Add(Ids.ForwardInterfaceInvalid, $"Multiple forwarding interfaces specified for network '{name}', only one is supported with mode '{modeName}'. Keep one <interface dev>, or none to forward through any interface.");
            if (mode == NetworkMode.Open && forward.Interfaces.Count > 0)
                Add(Ids.ForwardInterfaceInvalid, $"Forward dev not allowed for network '{name}' with forward mode='open'. Remove dev and <interface>.");
            foreach (var dev in forward.Interfaces)
                if (InterfaceName.Problem(dev, allowTemplate: false) is { } problem)
                    Add(Ids.ForwardInterfaceInvalid, $"Forward interface '{dev}' of network '{name}' is not a valid interface name: {problem}.", dev);
            if (forward.Nat is { } nat) Nat(nat);
        }

        private void Nat(NatDefinition nat)
        {
            if (definition.Mode != NetworkMode.Nat)
                Add(Ids.NatNotAllowed, $"The <nat> element can only be used when <forward> 'mode' is 'nat' in network '{name}'. Remove <nat> or use mode='nat'.");
            if (nat.AddressStart is not null || nat.AddressEnd is not null)
            {
                if (nat.AddressStart is null || nat.AddressEnd is null)
                    Add(Ids.NatAddressInvalid, $"<nat><address> of network '{name}' needs both start and end. Write <address start='IP' end='IP'/>.");
                else if (nat.AddressStart.AddressFamily != AddressFamily.InterNetwork || nat.AddressEnd.AddressFamily != AddressFamily.InterNetwork)
                    Add(Ids.NatAddressInvalid, $"<nat><address> of network '{name}' must be IPv4 (start '{nat.AddressStart}', end '{nat.AddressEnd}'). Use IPv4 addresses.");
                else if (IpNetwork.Compare(nat.AddressStart, nat.AddressEnd) > 0)
                    Add(Ids.NatAddressInvalid, $"<nat><address> start '{nat.AddressStart}' is after end '{nat.AddressEnd}' in network '{name}'. Swap them.");
            }
            if (nat.PortStart is not null || nat.PortEnd is not null)
            {
                if (nat.PortStart is not { } start || nat.PortEnd is not { } end)
                    Add(Ids.NatPortInvalid, $"<nat><port> of network '{name}' needs both start and end. Write <port start='1024' end='65535'/>.");
                else if (start is < 0 or > 65535 || end is < 0 or > 65535 || start > end)
                    Add(Ids.NatPortInvalid, $"<nat><port> range {start}-{end} of network '{name}' is invalid: both must be 0-65535 and start ≤ end.");
            }
        }

        public void BridgeMacMtu()
        {
            var bridge = definition.Bridge;
            if (bridge?.Name is { } bridgeName && InterfaceName.Problem(bridgeName, allowTemplate: true) is { } problem)
                Add(Ids.BridgeNameInvalid, $"Bridge name '{bridgeName}' of network '{name}' is not a valid Linux interface name: {problem}. Choose another (e.g. virbr10) or leave it out to have one allocated.", bridgeName);
            if (!Managed && (bridge?.Stp is not null || bridge?.Delay is not null || bridge?.Zone is not null))
                Add(Ids.BridgeOptionNotAllowed, $"Bridge delay/stp/zone options only allowed in route, nat, open and isolated mode, not in {modeName} (network '{name}'). Remove them.");
            if (definition.Mode is NetworkMode.Private or NetworkMode.Vepa or NetworkMode.Passthrough or NetworkMode.Hostdev
                && (bridge?.Name is not null || bridge?.MacTableManager is not null))
                Add(Ids.BridgeOptionNotAllowed, $"Bridge name and macTableManager are not allowed in network '{name}' with forward mode='{modeName}'. Remove <bridge>.");
            if (definition.MacAddress is { } mac)
            {
                if (!MacAddressText.TryNormalize(mac, out var canonical))
                    Add(Ids.MacAddressInvalid, $"Invalid bridge MAC address '{mac}' in network '{name}'. Write six hex pairs separated by ':'.", mac);
                else if (MacAddressText.IsMulticast(canonical))
                    Add(Ids.MacAddressInvalid, $"Invalid multicast bridge MAC address '{mac}' in network '{name}'. Use a unicast MAC (first octet even), e.g. 52:54:00:xx:xx:xx.", mac);
                if (!Managed)
                    Add(Ids.MacNotAllowed, $"Unsupported <mac> element in network '{name}' with forward mode='{modeName}'. Remove it; the host bridge keeps its own MAC.");
            }
            if (definition.Mtu is { } mtu)
            {
                if (mtu <= 0) Add(Ids.MtuInvalid, $"MTU {mtu} of network '{name}' is invalid. Use a positive size such as 1500.");
                if (!Managed)
                    Add(Ids.MtuNotAllowed, $"MTU size only allowed in open, route, nat, and isolated mode, not in {modeName} (network '{name}'). Remove <mtu>.");
            }
            if (definition.UplinkDevice is { } uplink)
            {
                if (definition.Mode != NetworkMode.Bridged)
                    Add(Ids.UplinkInvalid, $"<vnet:uplink> is only used with forward mode='bridge', network '{name}' has mode '{modeName}'. Remove it.");
                if (InterfaceName.Problem(uplink, allowTemplate: false) is { } uplinkProblem)
                    Add(Ids.UplinkInvalid, $"Uplink device '{uplink}' of network '{name}' is not a valid interface name: {uplinkProblem}.", uplink);
            }
        }
    }
}
