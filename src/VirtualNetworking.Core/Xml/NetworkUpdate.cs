using System.Xml.Linq;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;
using Ids = VirtualNetworking.Core.Problems.ErrorIds;

namespace VirtualNetworking.Core.Xml;

/// <summary>
/// libvirt's net-update (virNetworkDefUpdateSection) for the sections that can change on a running network.
/// Like libvirt's update it does not run the full validation. On failure nothing is changed.
/// </summary>
public static partial class NetworkUpdate
{
    public static readonly IReadOnlyList<string> Sections = ["ip-dhcp-host", "ip-dhcp-range", "dns-host", "dns-txt", "dns-srv", "forward-interface", "portgroup"];
    public static readonly IReadOnlyList<string> Commands = ["add-first", "add-last", "add", "modify", "delete"];

    /// <param name="section">libvirt's section name, e.g. ip-dhcp-host.</param>
    /// <param name="command">add-first, add-last (= add), modify or delete.</param>
    /// <param name="xmlSnippet">The element to add, modify or delete, e.g. &lt;host mac=… ip=…/&gt;.</param>
    /// <param name="parentIndex">Which &lt;ip&gt; for ip-dhcp-*; negative = libvirt's default (the one with DHCP, else the first IPv4, else the first IPv6).</param>
    public static void Apply(NetworkDefinition definition, string section, string command, string xmlSnippet, int parentIndex = -1)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!Commands.Contains(command))
            throw Fail(Ids.UpdateCommandUnsupported, ProblemCategory.InvalidArgument, $"Unknown net-update command '{command}'. Use add-first, add-last, modify or delete.", command);
        var operation = new Operation(definition, command == "add" ? "add-last" : command);
        switch (section)
        {
            case "ip-dhcp-host": operation.DhcpHost(Snippet(xmlSnippet, "host", definition), parentIndex); break;
            case "ip-dhcp-range": operation.DhcpRange(Snippet(xmlSnippet, "range", definition), parentIndex); break;
            case "forward-interface": operation.ForwardInterface(Snippet(xmlSnippet, "interface", definition)); break;
            case "portgroup": operation.PortGroup(Snippet(xmlSnippet, "portgroup", definition)); break;
            case "dns-host": operation.DnsHost(Snippet(xmlSnippet, "host", definition)); break;
            case "dns-txt": operation.DnsTxt(Snippet(xmlSnippet, "txt", definition)); break;
            case "dns-srv": operation.DnsSrv(Snippet(xmlSnippet, "srv", definition)); break;
            default:
                throw Fail(Ids.UpdateSectionUnsupported, ProblemCategory.InvalidOperation,
                    $"Can't update '{section}' section of network '{definition.Name}'. Updatable sections: {string.Join(", ", Sections)}; for anything else redefine the network.", section);
        }
    }

    private static XElement Snippet(string xml, string expected, NetworkDefinition definition)
    {
        var element = NetworkXmlReader.LoadRoot(xml, expectedRoot: null);
        if (element.Name != expected)
            throw Fail(Ids.UpdateElementUnexpected, ProblemCategory.InvalidData,
                $"Unexpected element <{element.Name.LocalName}>, expecting <{expected}>, while updating network '{definition.Name}'. Give the element of the section being updated.", element.Name.LocalName);
        return element;
    }

    private static NetworkProblemException Fail(string errorId, ProblemCategory category, string message, object? target = null) =>
        new(errorId, category, message, target);

    /// <summary>One update: the definition, the normalised command and the helpers every section shares.</summary>
    private sealed partial class Operation(NetworkDefinition definition, string command)
    {
        private readonly string name = definition.Name;

        private bool IsAdd => command is "add-first" or "add-last";

        private T Read<T>(Func<NetworkXmlReader, T> read)
        {
            var reader = new NetworkXmlReader(name);
            var result = read(reader);
            reader.ThrowIfProblems();
            return result;
        }

        /// <summary>Adds, replaces or removes <paramref name="item"/> in <paramref name="list"/> per the command; <paramref name="found"/> = index of the matching entry or -1.</summary>
        private void Change<T>(List<T> list, T item, int found, string what, string description)
        {
            if (IsAdd && found >= 0)
                throw Fail(Ids.UpdateEntryExists, ProblemCategory.ResourceExists, $"There is an existing {what} entry in network '{name}' that matches \"{description}\". Modify or delete it instead.", description);
            if (!IsAdd && found < 0) throw NotFound(what, description);
            switch (command)
            {
                case "add-first": list.Insert(0, item); break;
                case "add-last": list.Add(item); break;
                case "modify": list[found] = item; break;
                default: list.RemoveAt(found); break;
            }
        }

        private NetworkProblemException NotFound(string what, string description) =>
            Fail(Ids.UpdateEntryNotFound, ProblemCategory.ObjectNotFound, $"Couldn't locate a matching {what} entry for \"{description}\" in network '{name}'. Check the existing entries with Get-VNetwork.", description);

        private void RefuseModify(string what)
        {
            if (command == "modify")
                throw Fail(Ids.UpdateCommandUnsupported, ProblemCategory.InvalidOperation, $"{what} entries cannot be modified, only added or deleted (network '{name}'). Delete the entry and add the new one.", what);
        }

        private IpDefinition Parent(int parentIndex, string what)
        {
            var ips = definition.Ips;
            if (parentIndex >= 0)
            {
                if (parentIndex < ips.Count) return ips[parentIndex];
                throw Fail(Ids.UpdateParentInvalid, ProblemCategory.InvalidArgument, $"Couldn't update {what} entry - no <ip> element found at index {parentIndex} in network '{name}'. It has {ips.Count}.", parentIndex);
            }
            return ips.FirstOrDefault(HasDhcp) ?? ips.FirstOrDefault(ip => !ip.IsIPv6) ?? ips.FirstOrDefault()
                ?? throw Fail(Ids.UpdateParentInvalid, ProblemCategory.InvalidArgument, $"Couldn't update {what} entry - network '{name}' has no <ip> element. Add an address first.");
        }

        private static bool HasDhcp(IpDefinition ip) => ip.Dhcp is { } dhcp && (dhcp.Ranges.Count > 0 || dhcp.Hosts.Count > 0);

        /// <summary>libvirt serves DHCP on one &lt;ip&gt; per family: adding is refused while another &lt;ip&gt; of the family has DHCP (virNetworkDefUpdateCheckMultiDHCP).</summary>
        private void RefuseSecondDhcpBlock(IpDefinition parent)
        {
            if (IsAdd && definition.Ips.Any(ip => ip != parent && ip.IsIPv6 == parent.IsIPv6 && HasDhcp(ip)))
                throw Fail(Ids.DhcpMultiple, ProblemCategory.InvalidArgument, $"Network '{name}' already has DHCP on another {(parent.IsIPv6 ? "IPv6" : "IPv4")} <ip>; dhcp is supported only for a single address of each family. Use that <ip> (parent index).", parent.Address);
        }

        /// <summary>libvirt parses a lease with the element (virNetworkDHCPLeaseTimeDefParseXML), on every command.</summary>
        private void RefuseShortLease(LeaseDefinition? lease, string owner)
        {
            if (lease?.Duration is { } duration && duration < NetworkValidator.MinimumLease)
                throw Fail(Ids.LeaseTooShort, ProblemCategory.InvalidData, $"The minimum lease time should be greater than 2 minutes: {owner} in network '{name}' has {lease.Expiry} {lease.Unit ?? "minutes"}. Use at least 2 minutes, or expiry='0' for an infinite lease.", lease.Expiry);
        }

        public void DhcpHost(XElement element, int parentIndex)
        {
            var parent = Parent(parentIndex, "dhcp host");
            var host = Read(reader => reader.ReadDhcpHost(element));
            var problems = DhcpHostRules.Check(host, parent.IsIPv6, name, partialOkay: command == "delete").ToList();
            if (problems.Count > 0) throw new NetworkProblemException(problems);
            var text = element.ToString(SaveOptions.DisableFormatting);
            RefuseShortLease(host.Lease, text);
            RefuseSecondDhcpBlock(parent);
            var dhcp = parent.Dhcp ?? new DhcpDefinition();
            var found = dhcp.Hosts.FindIndex(existing => command == "delete" ? DeleteMatches(host, existing) : SharesAnIdentifier(host, existing));
            Change(dhcp.Hosts, host, found, "dhcp host", text);
            parent.Dhcp = dhcp;
        }

        // virNetworkDefUpdateIPDHCPHost compares mac, name and ip, never the id (DUID).
        private static bool SameMac(string? given, string? existing) =>
            given is not null && existing is not null && string.Equals(given, existing, StringComparison.OrdinalIgnoreCase);

        /// <summary>add refuses, and modify replaces, the first host that shares the mac, the name or the ip.</summary>
        private static bool SharesAnIdentifier(DhcpHostDefinition given, DhcpHostDefinition existing) =>
            SameMac(given.Mac, existing.Mac) || (given.Name is not null && given.Name == existing.Name) || (given.Ip is not null && given.Ip.Equals(existing.Ip));

        /// <summary>
        /// delete takes the first host matching every given attribute; like libvirt, a host without a mac is not
        /// compared by mac. Unlike libvirt, a host is not taken when nothing given was compared with it (a mac alone
        /// against a host without one): libvirt would delete an unrelated host there.
        /// </summary>
        private static bool DeleteMatches(DhcpHostDefinition given, DhcpHostDefinition existing)
        {
            var macCompared = given.Mac is not null && existing.Mac is not null;
            return (!macCompared || SameMac(given.Mac, existing.Mac))
                && (given.Name is null || given.Name == existing.Name)
                && (given.Ip is null || given.Ip.Equals(existing.Ip))
                && (macCompared || given.Name is not null || given.Ip is not null);
        }

        public void DhcpRange(XElement element, int parentIndex)
        {
            RefuseModify("dhcp range");
            var parent = Parent(parentIndex, "dhcp range");
            var range = Read(reader => reader.ReadDhcpRange(element))!;
            var text = $"<range start='{range.Start}' end='{range.End}'/>";
            if (range.Start.AddressFamily != parent.Address.AddressFamily || range.End.AddressFamily != parent.Address.AddressFamily)
                throw Fail(Ids.DhcpRangeInvalid, ProblemCategory.InvalidData, $"The address family of dhcp range {text} must match the address family of its parent <ip address='{parent.Address}'> in network '{name}'.", text);
            // libvirt checks the range against the subnet while parsing it, so for delete too (virSocketAddrGetRange).
            var subnet = NetworkValidator.Subnet(parent);
            if (!(subnet.Contains(range.Start) && subnet.Contains(range.End) && IpNetwork.Compare(range.Start, range.End) <= 0))
                throw Fail(Ids.DhcpRangeInvalid, ProblemCategory.InvalidData, $"DHCP range {text} is not an ordered range inside {subnet.Canonical} in network '{name}'. Choose addresses of that subnet.", text);
            RefuseShortLease(range.Lease, text);
            RefuseSecondDhcpBlock(parent);
            var dhcp = parent.Dhcp ?? new DhcpDefinition();
            var found = dhcp.Ranges.FindIndex(r => r.Start.Equals(range.Start) && r.End.Equals(range.End));
            Change(dhcp.Ranges, range, found, "dhcp range", text);
            parent.Dhcp = dhcp;
        }

        public void ForwardInterface(XElement element)
        {
            RefuseModify("forward interface");
            var forward = definition.Forward
                ?? throw Fail(Ids.UpdateParentInvalid, ProblemCategory.InvalidArgument, $"Network '{name}' has no <forward> element, so it has no forward interfaces to update. Redefine it with a forward mode.");
            var interfaces = Read(reader =>
            {
                var collected = new ForwardDefinition();
                reader.ReadForwardInterface(element, collected);
                return collected.Interfaces;
            });
            var dev = interfaces[0];
            Change(forward.Interfaces, dev, forward.Interfaces.IndexOf(dev), "forward interface", $"<interface dev='{dev}'/>");
        }

        public void PortGroup(XElement element)
        {
            var portGroupName = element.Attribute("name")?.Value;
            if (string.IsNullOrEmpty(portGroupName))
                throw Fail(Ids.XmlValueInvalid, ProblemCategory.InvalidData, $"<portgroup> for network '{name}' has no name attribute. Write <portgroup name='NAME'>.");
            var found = definition.PortGroups.FindIndex(p => p.Attribute("name")?.Value == portGroupName);
            if (command != "delete" && IsDefault(element) && definition.PortGroups.Where((p, i) => i != found && IsDefault(p)).Any())
                throw Fail(Ids.UpdateEntryExists, ProblemCategory.ResourceExists, $"A different portgroup entry in network '{name}' is already set as the default. Only one default is allowed.", portGroupName);
            Change(definition.PortGroups, NetworkXmlReader.Raw(element)!, found, "portgroup", $"<portgroup name='{portGroupName}'>");
        }

        /// <summary>virNetworkPortGroupParseXML reads default='yes' in any letter case.</summary>
        private static bool IsDefault(XElement portGroup) =>
            string.Equals(portGroup.Attribute("default")?.Value, "yes", StringComparison.OrdinalIgnoreCase);
    }
}
