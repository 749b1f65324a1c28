using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetCnn.Estimators;

[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace MLNetCnn.Estimators
{
    /// <summary>
    /// The one place that uses ML.NET internals. ML.NET 6.0.0 offers no public way to build estimator schema
    /// columns, persist a stateful external transformer, reach a catalog's environment or see its cancellation
    /// (dotnet/machinelearning#4911), so this project compiles against copies of Microsoft.ML.Core and
    /// Microsoft.ML.Data in which exactly the members listed in its project file are public
    /// (build/Publicizer), and <c>IgnoresAccessChecksTo</c> lets the runtime accept those accesses. Microsoft.ML
    /// is pinned; a version that changes one of these members fails the build, not the user.
    /// </summary>
    internal static class MlNetBridge
    {
        /// <summary>The host environment behind an ML.NET catalog (<c>mlContext.Transforms</c> and the like).</summary>
        public static IHostEnvironment GetEnvironment(object catalog) =>
            catalog is IInternalCatalog internalCatalog
                ? internalCatalog.Environment
                : throw new ArgumentException($"{catalog.GetType().Name} is not an ML.NET catalog.", nameof(catalog));

        /// <summary>The environment's <c>GpuDeviceId</c> and <c>FallbackToCpu</c>, as set on the MLContext.</summary>
        public static (int? GpuDeviceId, bool FallbackToCpu) GetDeviceSettings(IHostEnvironment environment) =>
            environment is IHostEnvironmentInternal settings ? (settings.GpuDeviceId, settings.FallbackToCpu) : (null, false);

        /// <summary>
        /// Whether ML.NET was asked to stop all work in this environment (<c>MLContext.CancelExecution</c>, which AutoML
        /// uses); ML.NET's own components check it through the internal <c>CheckAlive</c>.
        /// </summary>
        public static bool IsCancelled(IHostEnvironment environment) => environment is ICancelable { IsCanceled: true };

        /// <summary>An estimator schema column, whose constructor ML.NET keeps internal.</summary>
        public static SchemaShape.Column CreateSchemaColumn(string name, SchemaShape.Column.VectorKind vectorKind, DataViewType itemType,
            bool isKey, SchemaShape? annotations = null) =>
            new(name, vectorKind, itemType, isKey, annotations);

        /// <summary>The estimator schema of a data view's schema, as ML.NET's estimators check it (<c>SchemaShape.Create</c> is
        /// internal).</summary>
        public static SchemaShape SchemaShapeOf(DataViewSchema schema) => SchemaShape.Create(schema);

        /// <summary>Writes a transformer's model entry: its version header, then whatever <paramref name="write"/> writes.</summary>
        public static void SaveModel(ModelSaveContext context, LoaderIdentity identity, Action<BinaryWriter> write)
        {
            context.CheckAtModel();
            context.SetVersionInfo(VersionInfoOf(identity));
            write(context.Writer);
        }

        /// <summary>Checks a model entry's version header and returns its reader, positioned after it.</summary>
        public static BinaryReader OpenModel(ModelLoadContext context, LoaderIdentity identity) => OpenModel(context, identity, out _);

        /// <summary>Checks a model entry's version header and returns its reader, positioned after it, and the version it was written
        /// in.</summary>
        public static BinaryReader OpenModel(ModelLoadContext context, LoaderIdentity identity, out uint writtenVersion)
        {
            context.CheckAtModel(VersionInfoOf(identity));
            writtenVersion = context.Header.ModelVerWritten;
            return context.Reader;
        }

        // The simple assembly name, so a model saved by a newer library version still finds an older one.
        private static VersionInfo VersionInfoOf(LoaderIdentity identity) =>
            new(identity.ModelSignature, identity.Version, identity.Version, identity.ReadsFrom ?? identity.Version,
                loaderAssemblyName: typeof(MlNetBridge).Assembly.GetName().Name, loaderSignature: identity.LoaderSignature);
    }

    /// <summary>How a saved transformer names itself to ML.NET's model loader.</summary>
    /// <param name="ModelSignature">Eight characters that open the model entry.</param>
    /// <param name="Version">The format version written and read.</param>
    /// <param name="LoaderSignature">The name the loader is registered under.</param>
    /// <param name="ReadsFrom">The oldest version still read; null for <paramref name="Version"/> only.</param>
    internal sealed record LoaderIdentity(string ModelSignature, uint Version, string LoaderSignature, uint? ReadsFrom = null);
}

namespace System.Runtime.CompilerServices
{
    /// <summary>Recognised by the CLR by name: lets this assembly use the named assembly's internals.</summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute(string assemblyName) : Attribute
    {
        /// <summary>The assembly whose internals this assembly uses.</summary>
        public string AssemblyName { get; } = assemblyName;
    }
}
