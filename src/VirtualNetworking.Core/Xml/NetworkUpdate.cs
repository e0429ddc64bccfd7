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

        /// <summary>libvirt serves DHCP on one &lt;ip&gt; per family; adding to another one is refused.</summary>
        private void RefuseSecondDhcpBlock(IpDefinition parent)
        {
            if (IsAdd && !HasDhcp(parent) && definition.Ips.Any(ip => ip != parent && ip.IsIPv6 == parent.IsIPv6 && HasDhcp(ip)))
                throw Fail(Ids.DhcpMultiple, ProblemCategory.InvalidArgument, $"Network '{name}' already has DHCP on another {(parent.IsIPv6 ? "IPv6" : "IPv4")} <ip>; dhcp is supported only for a single address of each family. Use that <ip> (parent index).", parent.Address);
        }

        public void DhcpHost(XElement element, int parentIndex)
        {
            var parent = Parent(parentIndex, "dhcp host");
            var host = Read(reader => reader.ReadDhcpHost(element));
            var problems = DhcpHostRules.Check(host, parent.IsIPv6, name, partialOkay: command == "delete").ToList();
            if (problems.Count > 0) throw new NetworkProblemException(problems);
            RefuseSecondDhcpBlock(parent);
            var dhcp = parent.Dhcp ?? new DhcpDefinition();
            var hosts = dhcp.Hosts;
            int found = command switch
            {
                "delete" => hosts.FindIndex(h => (host.Mac is null || string.Equals(host.Mac, h.Mac, StringComparison.OrdinalIgnoreCase))
                    && (host.Id is null || string.Equals(host.Id, h.Id, StringComparison.OrdinalIgnoreCase))
                    && (host.Name is null || host.Name == h.Name) && (host.Ip is null || host.Ip.Equals(h.Ip))),
                // add: any shared identifier is a clash; modify: the entry with this mac/id/name/ip is replaced.
                _ => hosts.FindIndex(h => (host.Mac is not null && string.Equals(host.Mac, h.Mac, StringComparison.OrdinalIgnoreCase))
                    || (host.Id is not null && string.Equals(host.Id, h.Id, StringComparison.OrdinalIgnoreCase))
                    || (host.Name is not null && host.Name == h.Name) || (host.Ip is not null && host.Ip.Equals(h.Ip))),
            };
            Change(hosts, host, found, "dhcp host", element.ToString(SaveOptions.DisableFormatting));
            parent.Dhcp = dhcp;
        }

        public void DhcpRange(XElement element, int parentIndex)
        {
            RefuseModify("dhcp range");
            var parent = Parent(parentIndex, "dhcp range");
            var range = Read(reader => reader.ReadDhcpRange(element))!;
            var text = $"<range start='{range.Start}' end='{range.End}'/>";
            if (range.Start.AddressFamily != parent.Address.AddressFamily || range.End.AddressFamily != parent.Address.AddressFamily)
                throw Fail(Ids.DhcpRangeInvalid, ProblemCategory.InvalidData, $"The address family of dhcp range {text} must match the address family of its parent <ip address='{parent.Address}'> in network '{name}'.", text);
            var subnet = NetworkValidator.Subnet(parent);
            if (IsAdd && !(subnet.Contains(range.Start) && subnet.Contains(range.End) && IpNetwork.Compare(range.Start, range.End) <= 0))
                throw Fail(Ids.DhcpRangeInvalid, ProblemCategory.InvalidData, $"DHCP range {text} is not an ordered range inside {subnet.Canonical} in network '{name}'. Choose addresses of that subnet.", text);
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
            if (command != "delete" && element.Attribute("default")?.Value == "yes"
                && definition.PortGroups.Where((p, i) => i != found && p.Attribute("default")?.Value == "yes").Any())
                throw Fail(Ids.UpdateEntryExists, ProblemCategory.ResourceExists, $"A different portgroup entry in network '{name}' is already set as the default. Only one default is allowed.", portGroupName);
            Change(definition.PortGroups, NetworkXmlReader.Raw(element)!, found, "portgroup", $"<portgroup name='{portGroupName}'>");
        }
    }
}
