/// The fp32 CPU executor for PAVE patches (fusion module forward and LoRA deltas) — layer 3.
public enum PaveExecutorModule {}
