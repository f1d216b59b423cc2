using System.Reflection;
using System.Text.Json;
using Parquet.Schema;

namespace Steerability.GpuNode.Results;

/// <summary>One column of a row type: the property it holds, its name, and whether it may be null.</summary>
public sealed record RowColumn(string Name, PropertyInfo Property, Type ValueType, bool IsNullable);

/// <summary>
/// The columns of a row type by convention, so that a study's record is its table's row with no second type to map:
/// one column per public property, named in snake_case (`BaselineL2Mean` is `baseline_l2_mean`), nullable exactly
/// where the C# type is (`double?`, `string?`). The properties the record computes (a schema version, a scale: the
/// same in every row) come first, then the record's own values in the order it declares them.
/// </summary>
public static class RowColumns<T>
{
    // Declared before All: static fields are set in the order they are written, and Discover reads this one.
    private static readonly Type[] SupportedTypes = [typeof(string), typeof(bool), typeof(int), typeof(long), typeof(float), typeof(double)];

    /// <summary>The constructor with the most parameters: a positional record's own, or a class's parameterless one.</summary>
    /// <remarks>Found when a row is first read, so a type that is only written needs no public constructor.</remarks>
    private static ConstructorInfo Constructor => field ??= typeof(T).GetConstructors(BindingFlags.Public | BindingFlags.Instance)
        .OrderByDescending(c => c.GetParameters().Length)
        .FirstOrDefault() ?? throw new NotSupportedException($"{typeof(T).Name}: a table row read back needs a public constructor; found none");

    public static IReadOnlyList<RowColumn> All { get; } = Discover();

    /// <summary>The Parquet schema of a table of <typeparamref name="T"/>, led by the origin's columns when there is one.</summary>
    public static ParquetSchema Schema(RowOrigin? origin)
    {
        var fields = new List<Field>();
        if (origin is not null)
        {
            fields.Add(new DataField(RowOrigin.TrialKeyColumn, typeof(string), isNullable: false));
            fields.Add(new DataField(RowOrigin.RunnerColumn, typeof(string), isNullable: false));
        }
        fields.AddRange(All.Select(c => new DataField(c.Name, c.ValueType, isNullable: c.IsNullable)));
        return new ParquetSchema(fields);
    }

    /// <summary>A row as column values, led by the origin's.</summary>
    public static IDictionary<string, object?> Values(T row, RowOrigin? origin)
    {
        var values = new Dictionary<string, object?>(All.Count + 2, StringComparer.Ordinal);
        if (origin is not null)
        {
            values[RowOrigin.TrialKeyColumn] = origin.TrialKey;
            values[RowOrigin.RunnerColumn] = origin.Runner;
        }
        foreach (var column in All)
        {
            values[column.Name] = column.Property.GetValue(row);
        }
        return values;
    }

    /// <summary>
    /// A row from column values: through the record's constructor (its parameters named as its properties), then any
    /// settable property the constructor left. Columns the type does not have (`trial_key`, `runner`) are ignored; a
    /// column the file lacks takes the parameter's default.
    /// </summary>
    public static T FromValues(IDictionary<string, object?> values)
    {
        var arguments = Constructor.GetParameters()
            .Select(p => values.TryGetValue(ColumnName(p.Name!), out var value) && value is not null
                ? Convert(value, p.ParameterType)
                : p.HasDefaultValue ? p.DefaultValue : Default(p.ParameterType))
            .ToArray();
        var row = (T)Constructor.Invoke(arguments);
        var set = Constructor.GetParameters().Select(p => ColumnName(p.Name!)).ToHashSet(StringComparer.Ordinal);
        foreach (var column in All.Where(c => !set.Contains(c.Name) && c.Property.SetMethod is { IsPublic: true }))
        {
            if (values.TryGetValue(column.Name, out var value) && value is not null)
            {
                column.Property.SetValue(row, Convert(value, column.Property.PropertyType));
            }
        }
        return row;
    }

    public static string ColumnName(string propertyName) => JsonNamingPolicy.SnakeCaseLower.ConvertName(propertyName);

    private static List<RowColumn> Discover()
    {
        var nullability = new NullabilityInfoContext();
        return typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.CanWrite ? 1 : 0)
            .ThenBy(p => p.MetadataToken)
            .Select(p =>
            {
                var underlying = Nullable.GetUnderlyingType(p.PropertyType);
                var nullable = underlying is not null || (!p.PropertyType.IsValueType && nullability.Create(p).ReadState != NullabilityState.NotNull);
                var type = underlying ?? p.PropertyType;
                if (!SupportedTypes.Contains(type))
                {
                    throw new NotSupportedException($"{typeof(T).Name}.{p.Name}: a {type.Name} cannot be a table column; accepted: {string.Join(", ", SupportedTypes.Select(t => t.Name))} (or nullable)");
                }
                return new RowColumn(ColumnName(p.Name), p, type, nullable);
            })
            .ToList();
    }

    private static object? Convert(object value, Type target)
    {
        var type = Nullable.GetUnderlyingType(target) ?? target;
        return type.IsInstanceOfType(value) ? value : System.Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static object? Default(Type type) => type.IsValueType ? Activator.CreateInstance(type) : null;
}
