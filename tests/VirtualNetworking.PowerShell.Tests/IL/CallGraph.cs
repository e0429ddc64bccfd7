using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;

namespace VirtualNetworking.PowerShell.Tests.IL;

/// <summary>
/// The methods a method can reach, within a set of "own" assemblies (code outside them is not read). Edges are
/// call, callvirt, newobj, ldftn and ldvirtftn, and:
/// <list type="bullet">
/// <item>a callvirt (or ldvirtftn) of an own virtual or interface method reaches every own override or
/// implementation, except that, given a receiver type, a member of one of the receiver's base classes reaches only
/// the receiver's own override (so a cmdlet does not inherit its siblings' work through a shared abstract method);</item>
/// <item>newobj of an own type reaches its overrides of outside virtuals and implementations of outside interfaces
/// (ToString, Dispose, an iterator's MoveNext): code outside, which is not read, may call them on the new object;</item>
/// <item>naming a member of an own type reaches that type's static constructor.</item>
/// </list>
/// Methods are identified by their definitions (an open generic method, not one instantiation of it).
/// </summary>
public sealed class CallGraph
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static
        | BindingFlags.Public | BindingFlags.NonPublic;

    private readonly HashSet<Assembly> own;
    private readonly Type[] ownTypes;
    private readonly ConcurrentDictionary<MethodBase, IReadOnlyList<CallSite>> callSites = new();
    private readonly ConcurrentDictionary<MethodBase, IReadOnlyList<MethodBase>> implementations = new();
    private readonly ConcurrentDictionary<Type, IReadOnlyList<MethodBase>> outsideOverrides = new();

    public CallGraph(IEnumerable<Assembly> ownAssemblies)
    {
        own = ownAssemblies.ToHashSet();
        ownTypes = own.SelectMany(a => a.GetTypes()).ToArray();
    }

    /// <summary>A call from one method: to Target alone, or Dispatched to whatever overrides or implements it.</summary>
    private readonly record struct CallSite(MethodBase Target, bool Dispatched);

    public bool IsOwn(Type? type) => type is not null && own.Contains(type.Assembly);

    /// <summary>Every own method reachable from the roots (the roots included).</summary>
    public IReadOnlySet<MethodBase> Reachable(IEnumerable<MethodBase> roots, Type? receiver = null)
    {
        var reached = new HashSet<MethodBase>();
        var pending = new Queue<MethodBase>();
        void Reach(MethodBase method)
        {
            if (!IsOwn(method.DeclaringType)) return;
            var definition = Definition(method);
            if (reached.Add(definition)) pending.Enqueue(definition);
        }
        foreach (var root in roots) Reach(root);
        while (pending.TryDequeue(out var method))
            foreach (var site in CallSites(method))
                foreach (var target in Targets(site, receiver))
                    Reach(target);
        return reached;
    }

    /// <summary>The strings a method loads with ldstr (C# inlines const strings, so a constant's uses show here).</summary>
    public static IEnumerable<string> Strings(MethodBase method) => IlReader.Read(method).Select(i => i.Operand).OfType<string>();

    /// <summary>The one method that identifies a method and all its generic instantiations.</summary>
    public static MethodBase Definition(MethodBase method) => method.Module.ResolveMethod(method.MetadataToken)!;

    private IEnumerable<MethodBase> Targets(CallSite site, Type? receiver)
    {
        if (!site.Dispatched) return [site.Target];
        var declaring = site.Target.DeclaringType!;
        if (receiver is not null && IsOwn(declaring) && !declaring.IsInterface && declaring.IsAssignableFrom(receiver))
            return [OverrideIn(receiver, (MethodInfo)site.Target)];
        return Implementations(site.Target);
    }

    private IReadOnlyList<CallSite> CallSites(MethodBase method) => callSites.GetOrAdd(method, m =>
    {
        var sites = new List<CallSite>();
        foreach (var (opCode, operand) in IlReader.Read(m))
        {
            if (operand is MemberInfo { DeclaringType: { } declaring } member and (MethodBase or FieldInfo)
                && IsOwn(declaring) && declaring.TypeInitializer is { } initializer)
                sites.Add(new CallSite(initializer, false));
            if (operand is not MethodBase target) continue;
            if (opCode == OpCodes.Call || opCode == OpCodes.Newobj || opCode == OpCodes.Ldftn)
                sites.Add(new CallSite(target, false));
            else if (opCode == OpCodes.Callvirt || opCode == OpCodes.Ldvirtftn)
                sites.Add(new CallSite(target, target.IsVirtual));
            if (opCode == OpCodes.Newobj && IsOwn(target.DeclaringType))
                sites.AddRange(OutsideOverrides(target.DeclaringType!).Select(o => new CallSite(o, false)));
        }
        return sites;
    });

    /// <summary>An own virtual or interface method's body (when it has one) and every own override or implementation.</summary>
    private IReadOnlyList<MethodBase> Implementations(MethodBase method) => implementations.GetOrAdd(Definition(method), m =>
    {
        var found = new List<MethodBase>();
        if (!m.IsAbstract) found.Add(m);
        var declaring = m.DeclaringType!;
        if (!IsOwn(declaring)) return found;
        if (declaring.IsInterface)
        {
            foreach (var type in ownTypes.Where(t => !t.IsInterface))
                foreach (var face in type.GetInterfaces().Where(i => GenericDefinition(i) == declaring))
                {
                    var map = type.GetInterfaceMap(face);
                    for (var i = 0; i < map.InterfaceMethods.Length; i++)
                        if (SameMethod(map.InterfaceMethods[i], m) && IsOwn(map.TargetMethods[i].DeclaringType))
                            found.Add(Definition(map.TargetMethods[i]));
                }
        }
        else
        {
            var slot = ((MethodInfo)m).GetBaseDefinition();
            foreach (var type in ownTypes.Where(t => t != declaring && DerivesFrom(t, declaring)))
                found.AddRange(type.GetMethods(Declared).Where(o => o.IsVirtual && !o.IsAbstract && SameMethod(o.GetBaseDefinition(), slot)));
        }
        return found.Distinct().ToList();
    });

    /// <summary>The method a receiver runs for a virtual member of one of its base classes: its most derived override.</summary>
    private static MethodBase OverrideIn(Type receiver, MethodInfo method)
    {
        var slot = method.GetBaseDefinition();
        for (var type = receiver; type is not null; type = type.BaseType)
            if (type.GetMethods(Declared).FirstOrDefault(o => !o.IsAbstract && SameMethod(o.GetBaseDefinition(), slot)) is { } found)
                return found;
        return method;
    }

    /// <summary>An own type's (and its own base types') overrides and implementations of members declared outside.</summary>
    private IReadOnlyList<MethodBase> OutsideOverrides(Type type) => outsideOverrides.GetOrAdd(type, t =>
    {
        var found = new List<MethodBase>();
        for (var current = t; IsOwn(current); current = current!.BaseType)
            found.AddRange(current!.GetMethods(Declared).Where(m => m.IsVirtual && !m.IsAbstract && m.GetBaseDefinition() is var slot
                && !SameMethod(slot, m) && !IsOwn(slot.DeclaringType)));
        if (!t.IsInterface)
            foreach (var face in t.GetInterfaces().Where(i => !IsOwn(i)))
                found.AddRange(t.GetInterfaceMap(face).TargetMethods.Where(m => IsOwn(m.DeclaringType)));
        return found;
    });

    private static bool DerivesFrom(Type type, Type ancestor)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
            if (GenericDefinition(current) == ancestor) return true;
        return false;
    }

    private static Type GenericDefinition(Type type) => type.IsGenericType ? type.GetGenericTypeDefinition() : type;

    /// <summary>The same method, whatever generic instantiation or reflected type each was reached through.</summary>
    private static bool SameMethod(MethodBase a, MethodBase b) => a.MetadataToken == b.MetadataToken && a.Module == b.Module;
}
