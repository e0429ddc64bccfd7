using System.Reflection;
using System.Reflection.Emit;
using VirtualNetworking.PowerShell.Tests.IL.Samples;

namespace VirtualNetworking.PowerShell.Tests.IL;

/// <summary>The IL reader, the call graph and the type references, on the tiny types of Samples.cs.</summary>
public class CallGraphTests
{
    private static readonly CallGraph Graph = new([typeof(CallGraphTests).Assembly]);

    private static MethodInfo Method(Type type, string name) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)!;

    private static HashSet<string> StringsReachable(MethodBase root, Type? receiver = null) =>
        Graph.Reachable([root], receiver).SelectMany(CallGraph.Strings).ToHashSet();

    [Fact]
    public void Reads_the_strings_and_calls_of_a_body()
    {
        var instructions = IlReader.Read(Method(typeof(Job), nameof(Job.Run)));

        Assert.Contains(instructions, i => i.OpCode == OpCodes.Callvirt && i.Operand is MethodInfo { Name: "Act" });
        Assert.Contains(instructions, i => i.OpCode == OpCodes.Ldstr && (string?)i.Operand == "ran");
        Assert.Equal(OpCodes.Ret, instructions[^1].OpCode);
    }

    [Fact]
    public void Steps_over_a_switch_table_to_the_instructions_after_it()
    {
        var instructions = IlReader.Read(Method(typeof(Calls), nameof(Calls.AfterSwitch))).ToList();
        var atSwitch = instructions.FindIndex(i => i.OpCode == OpCodes.Switch);

        // C# follows a switch with the branch to its default case; misread, the table's bytes would come next.
        Assert.Contains(instructions[atSwitch + 1].OpCode, new[] { OpCodes.Br, OpCodes.Br_S });
        Assert.Equal(["many", "one", "switched", "three", "two", "zero"], instructions.Select(i => i.Operand).OfType<string>().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Resolves_tokens_in_the_generic_context_of_the_method()
    {
        var describe = Method(typeof(Box<>), "Describe");

        var show = IlReader.Read(describe).Select(i => i.Operand).OfType<MethodInfo>().Single(m => m.Name == "Show");

        // Show<TOther>: the argument is Describe's own type parameter, not an unresolved placeholder.
        Assert.Equal(describe.GetGenericArguments()[0], show.GetGenericArguments()[0]);
    }

    [Fact]
    public void An_interface_call_reaches_every_implementation()
    {
        Assert.Superset(new HashSet<string> { "circle", "square" }, StringsReachable(Method(typeof(Calls), nameof(Calls.ThroughInterface))));
    }

    [Fact]
    public void A_virtual_call_reaches_every_override_without_a_receiver()
    {
        Assert.Superset(new HashSet<string> { "start", "stop", "ran" }, StringsReachable(Method(typeof(Job), nameof(Job.Run))));
    }

    [Fact]
    public void A_virtual_call_on_a_base_class_member_reaches_only_the_receivers_override()
    {
        var reached = StringsReachable(Method(typeof(Job), nameof(Job.Run)), typeof(StartJob));

        Assert.Contains("start", reached);
        Assert.DoesNotContain("stop", reached);
    }

    [Fact]
    public void A_lambda_is_followed_into_its_closure()
    {
        Assert.Contains("lambda", StringsReachable(Method(typeof(Calls), nameof(Calls.ThroughLambda))));
    }

    [Fact]
    public void An_iterator_is_followed_into_its_state_machine()
    {
        Assert.Contains("iterated", StringsReachable(Method(typeof(Calls), nameof(Calls.ThroughIterator))));
    }

    [Fact]
    public void A_static_field_is_followed_into_its_static_constructor()
    {
        Assert.Contains("initialized", StringsReachable(Method(typeof(Calls), nameof(Calls.ThroughStaticField))));
    }

    [Fact]
    public void A_call_on_a_generic_instantiation_reaches_the_open_definition()
    {
        var reached = Graph.Reachable([Method(typeof(Calls), nameof(Calls.ThroughGeneric))]);

        Assert.Contains(CallGraph.Definition(Method(typeof(Box<>), "Show")), reached);
        Assert.Contains("described", reached.SelectMany(CallGraph.Strings));
    }

    [Fact]
    public void Code_outside_the_own_assemblies_is_not_read()
    {
        var root = Method(typeof(Calls), nameof(Calls.OnlyFramework));

        Assert.Equal([root], Graph.Reachable([root]));
    }

    [Fact]
    public void Type_references_cover_catch_clauses_operands_and_generic_arguments()
    {
        Assert.Contains(typeof(SampleFailure), TypeReferences.CaughtBy(typeof(Calls)));
        Assert.Contains(typeof(SampleFailure), TypeReferences.Of(typeof(Calls)));
        Assert.Contains(typeof(Circle), TypeReferences.Of(typeof(Calls))); // only named by newobj in Catching
        Assert.Contains(typeof(Square), TypeReferences.Of(typeof(Holder))); // only as List<Square>
        Assert.DoesNotContain(typeof(Square), TypeReferences.Of(typeof(Calls)));
    }
}
