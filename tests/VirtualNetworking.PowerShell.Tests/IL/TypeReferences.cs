using System.Reflection;

namespace VirtualNetworking.PowerShell.Tests.IL;

/// <summary>
/// The types a type names: its base type and interfaces, the types of its fields, properties and events, its
/// methods' signatures, and in their bodies the locals, the catch clauses and every token an instruction names.
/// Generic arguments and element types count (a List&lt;T&gt; field names T); attributes do not.
/// </summary>
public static class TypeReferences
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static
        | BindingFlags.Public | BindingFlags.NonPublic;

    public static IReadOnlySet<Type> Of(Type type) => Named(type).SelectMany(Parts).ToHashSet();

    /// <summary>The types of the catch clauses of a type's methods.</summary>
    public static IReadOnlySet<Type> CaughtBy(Type type) =>
        Methods(type).Select(m => m.GetMethodBody()).OfType<MethodBody>().SelectMany(Caught).ToHashSet();

    private static IEnumerable<Type> Caught(MethodBody body) => body.ExceptionHandlingClauses
        .Where(c => c.Flags == ExceptionHandlingClauseOptions.Clause)
        .Select(c => c.CatchType!);

    private static IEnumerable<MethodBase> Methods(Type type) =>
        type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));

    private static IEnumerable<Type?> Named(Type type)
    {
        yield return type.BaseType;
        foreach (var face in type.GetInterfaces()) yield return face;
        foreach (var field in type.GetFields(Declared)) yield return field.FieldType;
        foreach (var property in type.GetProperties(Declared)) yield return property.PropertyType;
        foreach (var @event in type.GetEvents(Declared)) yield return @event.EventHandlerType;
        foreach (var method in Methods(type))
        {
            foreach (var signatureType in InSignature(method)) yield return signatureType;
            if (method.GetMethodBody() is not { } body) continue;
            foreach (var local in body.LocalVariables) yield return local.LocalType;
            foreach (var caught in Caught(body)) yield return caught;
            foreach (var instruction in IlReader.Read(method))
                foreach (var operandType in InOperand(instruction.Operand)) yield return operandType;
        }
    }

    private static IEnumerable<Type?> InSignature(MethodBase method)
    {
        yield return method.DeclaringType;
        if (method is MethodInfo info)
        {
            yield return info.ReturnType;
            if (info.IsGenericMethod)
                foreach (var argument in info.GetGenericArguments()) yield return argument;
        }
        foreach (var parameter in method.GetParameters()) yield return parameter.ParameterType;
    }

    private static IEnumerable<Type?> InOperand(object? operand) => operand switch
    {
        Type type => [type],
        FieldInfo field => [field.DeclaringType, field.FieldType],
        MethodBase method => InSignature(method),
        _ => [],
    };

    /// <summary>A type and the types it is built from: element types and generic arguments; none for a type parameter.</summary>
    private static IEnumerable<Type> Parts(Type? type)
    {
        if (type is null || type.IsGenericParameter) return [];
        if (type.HasElementType) return Parts(type.GetElementType());
        if (type.IsConstructedGenericType)
            return type.GetGenericArguments().SelectMany(Parts).Prepend(type.GetGenericTypeDefinition());
        return [type];
    }
}
