# loader/: moat-loader (the service) and moatctl (the operator CLI).
LOADER_OBJS := $(OUTPUT)/obj/loader/main.o $(OUTPUT)/obj/loader/attach.o $(OUTPUT)/obj/loader/events.o
MOATCTL_OBJS := $(OUTPUT)/obj/loader/moatctl.o $(OUTPUT)/obj/loader/setup.o \
	$(OUTPUT)/obj/loader/setup-json.o $(OUTPUT)/obj/loader/setup-manifest.o \
	$(OUTPUT)/obj/loader/setup-runc.o
BINARIES += $(OUTPUT)/moat-loader $(OUTPUT)/moatctl

$(OUTPUT)/obj/loader/attach.o: $(BPF_SKEL)

$(OUTPUT)/moat-loader: $(LOADER_OBJS) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBBPF_LIBS) -lcap -o $@

$(OUTPUT)/moatctl: $(MOATCTL_OBJS) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBBPF_LIBS) -ljson-c -o $@

-include $(LOADER_OBJS:.o=.d) $(MOATCTL_OBJS:.o=.d)
