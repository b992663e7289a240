using System.Data;
using Dapper;
using CameraNet.Contracts;
using CameraNet.Inventory.Cameras;

namespace CameraNet.Inventory.Data;

/// <summary>Dapper settings shared by every store: enums and DateOnly as the database stores them.</summary>
public static class Db
{
    private static int _configured;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1)
        {
            return;
        }

        SqlMapper.AddTypeHandler(new CamelEnumHandler<CameraKind>());
        SqlMapper.AddTypeHandler(new CamelEnumHandler<DecodeMode>());
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
    }

    /// <summary>Enums are stored as their camelCase names, the same text the JSON API uses (cached: bulk imports ask millions of times).</summary>
    public static string Text<T>(T value) where T : struct, Enum => EnumText<T>.Of(value);

    private static class EnumText<T> where T : struct, Enum
    {
        private static readonly Dictionary<T, string> Names = Enum.GetValues<T>().ToDictionary(v => v, v => char.ToLowerInvariant(v.ToString()[0]) + v.ToString()[1..]);

        public static string Of(T value) => Names[value];
    }

    private sealed class CamelEnumHandler<T> : SqlMapper.TypeHandler<T> where T : struct, Enum
    {
        public override void SetValue(IDbDataParameter parameter, T value)
        {
            parameter.DbType = DbType.String;
            parameter.Value = Text(value);
        }

        public override T Parse(object value) => Enum.Parse<T>((string)value, ignoreCase: true);
    }

    private sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            parameter.DbType = DbType.Date;
            parameter.Value = value;
        }

        public override DateOnly Parse(object value) => value switch
        {
            DateOnly d => d,
            DateTime dt => DateOnly.FromDateTime(dt),
            _ => throw new DataException($"cannot read {value.GetType().Name} as a date"),
        };
    }
}
