// Training uses every core through libtorch; tests running side by side would only slow each other down.
[assembly: DoNotParallelize]
