namespace MLNetCnn.Export;

/// <summary>
/// A network or block whose forward pass is more than a chain of layers: it states its evaluation-mode forward
/// pass as graph operators, calling <see cref="GraphBuilder.Call"/> for its child layers. Layers that are plain
/// TorchSharp modules map in <see cref="LayerExporters"/> instead.
/// </summary>
internal interface IExportableModule
{
    /// <summary>Adds the module's evaluation-mode forward pass on <paramref name="input"/>; returns the name of its output.</summary>
    string Export(GraphBuilder graph, string input);
}
