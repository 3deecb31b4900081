// The OpenGL API of the app: core-profile prototypes from the Khronos header, resolved at
// link time by glvnd's libOpenGL. glvnd dispatches every call to the context current on
// the thread, GLX (GLFW window) or EGL (headless), so no function loader is needed. The
// ImGui OpenGL3 backend is compiled with this header forced in (see CMakeLists.txt).
#pragma once
#ifndef GL_GLEXT_PROTOTYPES
#define GL_GLEXT_PROTOTYPES 1
#endif
#include <GL/glcorearb.h>
