namespace VirtualNetworking.Core.Firewall;

/// <summary>What an apply did: the handles of the network's new rules, and which of our tables it created.</summary>
/// <param name="CreatedTables">
/// Our tables that were absent (deleted behind our back, or none before the first network). A recreated table numbers
/// its rules from the start again, so handles journaled in the old one are stale and may name this network's rules.
/// </param>
public sealed record AppliedRules(IReadOnlyList<RuleHandle> Handles, IReadOnlyList<NftFamily> CreatedTables);
