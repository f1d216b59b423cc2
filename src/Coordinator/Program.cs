using TorchSharp;
var t = torch.ones(3);
Console.WriteLine(t.sum().item<float>());
