using Steerability.Experiments.Runtime;

namespace Steerability.GpuNode.Results;

/// <summary>
/// The last check before a table is written: no row may hold NaN or infinity. A value that is not defined (a correlation
/// over two classes, data a generator brought without its training set) is null in a nullable column, never NaN.
/// </summary>
public static class FiniteRows
{
    /// <summary>Throws <see cref="NonFiniteValueException"/> naming the table, row and column of the first non-finite value.</summary>
    public static void Check<T>(string table, IEnumerable<T> rows)
    {
        var columns = RowColumns<T>.All.Where(c => c.ValueType == typeof(double) || c.ValueType == typeof(float)).ToArray();
        if (columns.Length == 0)
        {
            return;
        }
        var index = 0;
        foreach (var row in rows)
        {
            foreach (var column in columns)
            {
                if (column.Property.GetValue(row) is { } value && Convert.ToDouble(value) is var number && !double.IsFinite(number))
                {
                    throw new NonFiniteValueException($"writing {table}", $"row {index}", $"column {column.Name}", FiniteGuard.Describe(number));
                }
            }
            index++;
        }
    }
}
